"""The registry's datasets as DCAT-AP: a dcat:Catalog published by the ministry, each public dataset
of a confirmed steward a dcat:Dataset with `dct:publisher` its municipality (foaf:Agent) and
`dcat:contactPoint` a vcard:Individual with the steward's public name and business e-mail.
Built with rdflib; checked against the DCAT-AP 2.1.1 SHACL shapes in the tests."""
from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from coordination.stewards.models import ROLE_LABELS

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
LANGUAGE_SL = URIRef("http://publications.europa.eu/resource/authority/language/SLV")
CONTEXT = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD), "xsd": str(XSD)}


def graph(datasets, *, base: str, catalog_title: str, catalog_description: str, publisher_name: str,
          lang: str = "sl") -> Graph:
    """`datasets`: Dataset objects with their appointment and its municipality loaded."""
    base = base.rstrip("/")
    g = Graph(bind_namespaces="none")
    for prefix, uri in CONTEXT.items():
        g.bind(prefix, uri)
    catalog = URIRef(f"{base}/skrbniki/dcat")
    ministry = URIRef(f"{base}/#ministrstvo")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(catalog_title, lang=lang)))
    g.add((catalog, DCTERMS.description, Literal(catalog_description, lang=lang)))
    g.add((catalog, DCTERMS.publisher, ministry))
    g.add((ministry, RDF.type, FOAF.Agent))
    g.add((ministry, FOAF.name, Literal(publisher_name, lang=lang)))
    g.add((catalog, DCTERMS.language, LANGUAGE_SL))
    g.add((LANGUAGE_SL, RDF.type, DCTERMS.LinguisticSystem))
    publishers, contacts = {}, {}
    for dataset in datasets:
        appointment = dataset.appointment
        org = appointment.organisation
        node = URIRef(f"{base}/skrbniki/podatkovni-nizi/{dataset.id}")
        g.add((catalog, DCAT.dataset, node))
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(f"{org.iso_code or org.id}-{dataset.id}")))
        g.add((node, DCTERMS.title, Literal(dataset.name, lang=lang)))
        g.add((node, DCTERMS.description, Literal(dataset.description or dataset.name, lang=lang)))
        if org.id not in publishers:
            publisher = publishers[org.id] = URIRef(f"{base}/organizacije/{org.id}")
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, RDF.type, FOAF.Organization))
            g.add((publisher, FOAF.name, Literal(org.name, lang=lang)))
        g.add((node, DCTERMS.publisher, publishers[org.id]))
        if appointment.id not in contacts:
            contacts[appointment.id] = _contact(g, appointment, base, lang)
        g.add((node, DCAT.contactPoint, contacts[appointment.id]))
        if dataset.frequency:
            frequency = URIRef(FREQUENCY + dataset.frequency.value)
            g.add((node, DCTERMS.accrualPeriodicity, frequency))
            g.add((frequency, RDF.type, DCTERMS.Frequency))
        if dataset.portal_url:
            page = URIRef(dataset.portal_url)
            g.add((node, DCAT.landingPage, page))
            g.add((page, RDF.type, FOAF.Document))
    return g


def _contact(g: Graph, appointment, base: str, lang: str):
    """The steward as a vcard:Individual (also typed vcard:Kind, its superclass in vCard, so a
    consumer needs no reasoning): the name if it is public, else the role at the municipality;
    the business e-mail only where it is public."""
    contact = URIRef(f"{base}/skrbniki/imenovanja/{appointment.id}#kontakt")
    g.add((contact, RDF.type, VCARD.Individual))
    g.add((contact, RDF.type, VCARD.Kind))
    if appointment.is_public("person_name"):
        name = appointment.person_name
    else:
        name = f"{ROLE_LABELS[appointment.role]}, {appointment.organisation.name}"
    g.add((contact, VCARD.fn, Literal(str(name), lang=lang)))
    if appointment.is_public("email"):
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{appointment.email}")))
    g.add((contact, VCARD["organization-name"], Literal(appointment.organisation.name, lang=lang)))
    return contact


def turtle(g: Graph) -> bytes:
    return g.serialize(format="turtle", encoding="utf-8")


def json_ld(g: Graph) -> bytes:
    return g.serialize(format="json-ld", context=CONTEXT, indent=2, encoding="utf-8")

