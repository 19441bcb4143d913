"""The datasets as DCAT-AP, validated against the official DCAT-AP 2.1.1 SHACL shapes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from coordination.extensions import db
from coordination.roles import Role
from coordination.stewards import services
from coordination.stewards.models import Frequency
from tests import factories as f
from tests.stewards.helpers import confirmed, nominate

SHAPES = Path(__file__).parent / "data"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


def shapes() -> Graph:
    graph = Graph()
    for name in ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


@pytest.fixture
def registry(session):
    ministry = f.user(Role.MINISTRY)
    kamnik = confirmed(f.municipality("Kamnik"), ministry, name="Tina Vzorec", public=("person_name", "email"))
    services.add_dataset(kamnik, name="Evidenca občinskih cest", description="Kategorizirane ceste.",
                         legal_basis="ZCes-2", frequency=Frequency.ANNUAL,
                         portal_url="https://podatki.gov.si/dataset/kamnik-ceste")
    services.add_dataset(kamnik, name="Interni seznam", description="Ni javen.", public=False)
    ljubljana = confirmed(f.municipality("Ljubljana"), ministry, name="Skrita Oseba", public=())
    services.add_dataset(ljubljana, name="Proračun občine", description="Sprejeti proračun.")
    pending = nominate(f.municipality("Kranj"))
    services.add_dataset(pending, name="Nepotrjeni niz", description="Skrbnik še ni potrjen.")
    db.session.commit()


@pytest.mark.parametrize("url,fmt", [("/skrbniki/dcat.ttl", "turtle"), ("/skrbniki/dcat.jsonld", "json-ld")])
def test_export_conforms_to_dcat_ap(client, registry, url, fmt):
    response = client.get(url)
    assert response.status_code == 200
    data = Graph().parse(data=response.data, format=fmt)
    conforms, _report, text = validate(data, shacl_graph=shapes(), inference="none", allow_warnings=False)
    assert conforms, text
    datasets = set(data.subjects(RDF.type, DCAT.Dataset))
    titles = {str(data.value(d, DCTERMS.title)) for d in datasets}
    assert titles == {"Evidenca občinskih cest", "Proračun občine"}  # public, of confirmed stewards only
    roads = next(d for d in datasets if str(data.value(d, DCTERMS.title)) == "Evidenca občinskih cest")
    publisher = data.value(roads, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in data and str(data.value(publisher, FOAF.name)) == "Kamnik"
    contact = data.value(roads, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Individual) in data
    assert data.value(contact, VCARD.fn) == Literal("Tina Vzorec", lang="sl")
    assert data.value(contact, VCARD.hasEmail) == URIRef("mailto:tina@primer.si")
    # a steward whose name and e-mail are internal appears by role only
    budget = next(d for d in datasets if str(data.value(d, DCTERMS.title)) == "Proračun občine")
    hidden = data.value(budget, DCAT.contactPoint)
    assert "Skrita" not in str(data.value(hidden, VCARD.fn)) and data.value(hidden, VCARD.hasEmail) is None


def test_the_shapes_catch_a_broken_export(client, registry):
    """The check can fail: a dataset without its mandatory description, a contact that is no vcard:Kind."""
    data = Graph().parse(data=client.get("/skrbniki/dcat.ttl").data, format="turtle")
    dataset = next(data.subjects(RDF.type, DCAT.Dataset))
    data.remove((dataset, DCTERMS.description, None))
    contact = data.value(dataset, DCAT.contactPoint)
    data.remove((contact, RDF.type, None))
    conforms, _report, text = validate(data, shacl_graph=shapes(), inference="none")
    assert not conforms
    assert "description" in text and "Kind" in text


def test_json_ld_has_a_readable_context(client, registry):
    body = json.loads(client.get("/skrbniki/dcat.jsonld").data)
    assert body["@context"]["dcat"] == str(DCAT)
