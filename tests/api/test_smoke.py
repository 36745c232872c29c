async def test_categories_lists_groups_and_categories(client):
    response = await client.get("/api/categories")
    assert response.status_code == 200
    body = response.json()
    assert {g["code"] for g in body["groups"]} >= {"streets", "parking", "planning", "licensing", "noise"}
