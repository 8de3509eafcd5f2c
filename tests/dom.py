"""A small DOM built with the standard library's HTML parser: tests read pages as elements
(headings, links, form fields) rather than as substrings."""

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None" = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list = []

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list["Element"]:
        """Elements below (and including) this one; attrs match exactly (a "_" in a name stands for
        "-", class_ for class), True matches any value."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k) is not None if v is True else e.attrs.get(k) == v for k, v in wanted.items())]

    def find(self, tag: str | None = None, **attrs) -> "Element | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def text(self) -> str:
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, Element):
                    if child.tag not in ("script", "style"):
                        walk(child)
                else:
                    parts.append(child)

        walk(self)
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def ancestor(self, tag: str) -> "Element | None":
        """The nearest enclosing element of that tag."""
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node

    def hrefs(self) -> list[str]:
        return [a.get("href") for a in self.find_all("a", href=True)]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def form_values(form: Element) -> dict[str, list[str]]:
    """What a browser would send for this form as it stands: text and hidden fields, checked boxes
    and radios, textareas, selected options (no button)."""
    values: dict[str, list[str]] = {}
    for element in form.iter():
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = element.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and element.get("checked") is None:
                continue
            values.setdefault(name, []).append(element.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif element.tag == "textarea":
            values.setdefault(name, []).append("".join(c for c in element.children if isinstance(c, str)))
        elif element.tag == "select":
            options = element.find_all("option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            for option in chosen:
                values.setdefault(name, []).append(option.get("value", option.text()))
    return values
