"""Places: the council's streets (with their USRNs) and areas (wards, districts, estates), so a
report's place is said in words — "Regent Street, West End ward" — and not as coordinates."""
