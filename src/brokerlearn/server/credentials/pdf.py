"""The printable certificate: the theme's certificate.html and certificate.css rendered to an A4
PDF by WeasyPrint, with a QR code (segno, SVG) that opens the verification page."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import segno
from flask import render_template

from brokerlearn.server.contexts import CertificateDocument


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def certificate_pdf(context: CertificateDocument, theme_static: Path) -> bytes:
    from weasyprint import CSS, HTML
    from brokerlearn.server.rendering import template_vars
    context = dataclasses.replace(context, qr=qr_data_uri(context.verify_url))
    html = render_template(context.TEMPLATE, **template_vars(context))
    stylesheet = CSS(filename=str(theme_static / "certificate.css"))
    return HTML(string=html, base_url=str(theme_static)).write_pdf(stylesheets=[stylesheet])
