"""What a learner's file is, by its content: accepted only as one of the types its assignment
allows (course/schema_assignment.py FILE_TYPES), else refused with a reason.

The type is read from the bytes with puremagic (a pure-Python signature database, kept up to
date, no system library to install): the name's extension only has to agree with it. Office
files are ZIP archives, so for `docx` and `odt` the archive's own table is read (stdlib
zipfile, never extracted) for the parts that make it that kind and for its uncompressed size, so
a ZIP bomb is refused before anything could unpack it. A file a browser could run as a page
(HTML or SVG markup near its start, the bytes a browser sniffs) or one that is two kinds at once
(an image or PDF with a ZIP archive appended) is refused whatever its signature says. Accepted
files are stored under a name the server chooses and only ever served as attachments
(services/submissions.py).
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import puremagic

MIME = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "txt": "text/plain",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt": "application/vnd.oasis.opendocument.text"}
_EXTENSIONS = {"pdf": ("pdf",), "png": ("png",), "jpg": ("jpg", "jpeg"), "txt": ("txt", "md"),
               "docx": ("docx",), "odt": ("odt",)}
_SIGNATURES = {".pdf": "pdf", ".png": "png", ".jpg": "jpg", ".jpeg": "jpg"}
# What a browser takes for a page or a script when it sniffs (it reads about the first 512 bytes;
# we read more): refused in every file, whatever its type.
_MARKUP = re.compile(rb"<\s*(?:script|html|svg|body|iframe|object|embed|!doctype\s+html|\?xml[^>]*>\s*<svg)"
                     rb"|javascript:", re.I)
_SNIFFED = 4096
MAX_UNPACKED = 100 * 1024 * 1024  # an office file unpacks to at most this (bytes)
MAX_RATIO = 200  # nor to more than this many times its stored size
MAX_MEMBERS = 5000
MAX_NAME = 120


class UploadRefused(Exception):
    def __init__(self, code: str, message: str, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # one of FILE_TYPES
    mime: str
    name: str  # the name to show and offer on download (never a path; never used on disk)


def safe_name(name: str | None) -> str:
    """The learner's file name as shown: refused if it holds a path, control characters or is
    empty; shortened to MAX_NAME characters, the extension kept."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or any(ch in name for ch in '/\\:') or name.startswith(".") or ".." in name:
        raise UploadRefused("bad_file_name", "the file's name must be a plain name, without a folder "
                            "(e.g. 'agenda.pdf')")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise UploadRefused("bad_file_name", "the file's name holds control characters: rename it")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:MAX_NAME]
    return name


def inspect(name: str | None, data: bytes, allowed: list[str], max_bytes: int) -> CheckedFile:
    """The file's kind if it may be accepted for an assignment allowing `allowed`; else UploadRefused."""
    shown = safe_name(name)
    if len(data) > max_bytes:
        raise UploadRefused("too_large", f"the file is {len(data) / 1e6:.1f} MB; at most "
                            f"{max_bytes / 1e6:g} MB are accepted", 413)
    if not data:
        raise UploadRefused("empty_file", "the file is empty")
    if _MARKUP.search(data[:_SNIFFED]):
        raise UploadRefused("active_content", "the file holds web-page markup (HTML, SVG or script), "
                            "which a browser could run: save it as PDF and attach that")
    kind = _kind(data)
    if kind is None or kind not in allowed:
        what = "of a type that is not accepted" if kind is None else f"a {kind.upper()} file"
        raise UploadRefused("type_not_allowed", f"the file is {what}; accepted: "
                            + ", ".join(t.upper() for t in allowed))
    extension = shown.rpartition(".")[2].lower() if "." in shown else ""
    if extension not in _EXTENSIONS[kind]:
        raise UploadRefused("name_disagrees", f"the file's content is {kind.upper()} but its name ends in "
                            f"'.{extension}': name it .{_EXTENSIONS[kind][0]}")
    if kind not in ("docx", "odt") and _is_zip(data):
        raise UploadRefused("polyglot", f"the file is a {kind.upper()} with an archive inside it: "
                            "attach the document itself")
    return CheckedFile(kind, MIME[kind], shown)


def _kind(data: bytes) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        matches = []
    for match in matches:
        kind = _SIGNATURES.get(match.extension.lower())
        if kind:
            return kind
    if not matches and _is_text(data):
        return "txt"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)


def _is_zip(data: bytes) -> bool:
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a damaged tail is not an archive
        return False


def _office_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused("damaged_file", "the file is a damaged archive") from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
        raise UploadRefused("zip_bomb", f"the file would unpack to {unpacked / 1e6:.0f} MB from "
                            f"{len(data) / 1e6:.2f} MB: it is not accepted")
    names = {m.filename for m in members}
    if any(n.startswith("/") or ".." in n.split("/") for n in names):
        raise UploadRefused("damaged_file", "the archive names files outside itself")
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise UploadRefused("active_content", "the document holds macros: save it as .docx without them")
        return "docx"
    if "mimetype" in names:
        with archive.open("mimetype") as member:
            if member.read(100).strip() == MIME["odt"].encode():
                return "odt"
    return None
