"""Verifiable certificates: signing keys, Open Badges 3.0 credentials as VC-JWT, the revocation
status list, verification, and the PDF."""
