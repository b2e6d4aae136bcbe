"""The printable certificate: the theme's certificate.html and certificate.css rendered to an A4
PDF by WeasyPrint, with a QR code (segno, SVG) that opens the verification page.

It is always one page. The outcomes are laid out in the first of these that fits on it:
`list` (every outcome with its statement and score, under its unit), `compact` (the same in
smaller type, without the unit headings), `units` (per unit: its title and how many of its
outcomes are certified) and `count` (one sentence). A profile of more than `LIST_MAX` outcomes
starts at `units`. WeasyPrint lays out the page before it is written, so each try costs a
layout, not a file; the verification page always lists every outcome."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import segno
from flask import render_template

from brokerlearn.course.manifest import Profile
from brokerlearn.server.contexts import CertificateDocument

LAYOUTS = ("list", "compact", "units", "count")
LIST_MAX = 30  # outcomes; more are summarised by unit whatever their length


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def by_unit(outcomes: list[dict], profile: Profile | None) -> list[dict]:
    """The certified outcomes grouped by the profile's units, in the certificate's order:
    `id`, `title`, `outcomes`. Outcomes in no unit (or of a course no longer served) make one
    group with an empty `id` and `title`."""
    unit_of = {oid: unit for unit in (profile.units if profile else []) for oid in unit.outcomes}
    groups: dict[str, dict] = {}
    for outcome in outcomes:
        unit = unit_of.get(outcome["id"])
        key = unit.id if unit else ""
        group = groups.setdefault(key, {"id": key, "title": unit.title if unit else "", "outcomes": []})
        group["outcomes"].append(outcome)
    return list(groups.values())


def layouts_to_try(context: CertificateDocument) -> tuple[str, ...]:
    return LAYOUTS if len(context.outcomes) <= LIST_MAX else LAYOUTS[2:]


def certificate_document(context: CertificateDocument, theme_static: Path):
    """The layout that fits one page (the last one when none does) and the laid-out
    certificate in it (a WeasyPrint Document)."""
    from weasyprint import CSS, HTML
    from brokerlearn.server.rendering import template_vars
    stylesheet = CSS(filename=str(theme_static / "certificate.css"))
    context = dataclasses.replace(context, qr=qr_data_uri(context.verify_url))
    layout, document = "", None
    for layout in layouts_to_try(context):
        html = render_template(context.TEMPLATE, **template_vars(dataclasses.replace(context, layout=layout)))
        document = HTML(string=html, base_url=str(theme_static)).render(stylesheets=[stylesheet])
        if len(document.pages) == 1:
            break
    return layout, document


def certificate_pdf(context: CertificateDocument, theme_static: Path) -> bytes:
    return certificate_document(context, theme_static)[1].write_pdf()
