"""XMP properties, as 360° cameras write them: in a namespace, as elements or as attributes.

Both the V1 spherical video metadata (an RDF/XMP document in an MP4 box) and a photo's GPano
(XMP in a JPEG segment) are read through :func:`namespaced_props`.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET


def namespaced_props(root: ET.Element, namespace: str) -> dict[str, str]:
    """Properties in ``namespace``, written as elements or attributes; the first one wins."""
    prefix = "{" + namespace + "}"
    props: dict[str, str] = {}
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.startswith(prefix):
                props.setdefault(key[len(prefix) :], value)
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            props.setdefault(element.tag[len(prefix) :], (element.text or "").strip())
    return props


def xmp_float(text: str | None) -> float | None:
    """A finite number from an XMP value, or None."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def xmp_int(text: str | None) -> int | None:
    """A whole number from an XMP value (a fraction is cut off), or None."""
    value = xmp_float(text)
    return int(value) if value is not None else None
