"""The registry's CSV: each appointment's trainings and datasets (read apart from the appointments, as
plain rows), the public ones for everyone allowed to export, all of them for staff."""
from __future__ import annotations

import csv
import io
from datetime import date

from coordination.extensions import db
from coordination.roles import Role
from coordination.stewards import services
from tests import factories as f
from tests.stewards.helpers import confirmed, nominate


def _rows(client) -> dict[str, list[str]]:
    response = client.get("/skrbniki/register.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    return {row[5]: row for row in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]}


def test_csv_lists_each_appointments_trainings_and_datasets(client, session, no_csrf):
    ministry = f.user(Role.MINISTRY)
    kamnik = confirmed(f.municipality("Kamnik"), ministry, name="Tina Vzorec", public=("person_name", "trainings"))
    services.add_dataset(kamnik, name="Evidenca cest")
    services.add_dataset(kamnik, name="Interni seznam", public=False)
    services.add_dataset(kamnik, name="Register stavb")
    services.add_training(kamnik, name="Varstvo podatkov", held_on=date(2024, 5, 1))
    services.add_training(kamnik, name="Osnove", held_on=date(2023, 3, 1))
    kranj = nominate(f.municipality("Kranj"), name="Mojca Primer", public=("person_name",))
    services.add_dataset(kranj, name="Proračun")
    services.add_training(kranj, name="Odprti podatki", held_on=date(2024, 1, 1))
    db.session.commit()

    f.login(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")))
    public = _rows(client)
    assert public["Tina Vzorec"][14] == "Osnove (2023-03-01); Varstvo podatkov (2024-05-01)"  # by date
    assert public["Tina Vzorec"][15] == "Evidenca cest; Register stavb"  # the internal one left out
    assert public["Mojca Primer"][14] == "" and public["Mojca Primer"][15] == "Proračun"  # trainings not public

    client.post("/odjava")
    f.login(client, ministry)
    staff = _rows(client)
    assert staff["Tina Vzorec"][15] == "Evidenca cest; Interni seznam; Register stavb"
    assert staff["Mojca Primer"][14] == "Odprti podatki (2024-01-01)"
