from reportit.reports.references import ALPHABET, new_reference, normalise, spoken


def test_references_are_short_and_unambiguous_when_read_aloud():
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    assert all(len(r) == 8 and set(r) <= set(ALPHABET) for r in references)
    assert not set("".join(references)) & set("01OIL")


def test_what_people_type_is_read_generously_but_never_guessed():
    assert normalise(" k7qm-4xrt ") == "K7QM4XRT"
    assert normalise("K7QM 4XRT") == "K7QM4XRT"
    assert normalise("K7QM4XR") is None
    assert normalise("K7QM4XR0") is None  # 0 is never in a reference
    assert normalise("../../etc") is None
    assert spoken("K7QM4XRT") == "K7QM-4XRT"
