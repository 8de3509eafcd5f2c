"""Every template compiles with autoescape on, every page has a title, every page says it is French,
and only the form macros (partials/_forms.html) write error messages and ARIA error states."""

from pathlib import Path

import pytest

from revital.app import TEMPLATES_DIR, template_environment

TEMPLATES = sorted(str(p.relative_to(TEMPLATES_DIR)) for p in Path(TEMPLATES_DIR).rglob("*.html"))
# Documents printed by WeasyPrint, not pages of the site: no layout of their own to extend.
PRINTED = ["workshops/kit.html", "sheets/pdf.html", "roadmaps/pdf.html"]
PAGES = [t for t in TEMPLATES if not Path(t).name.startswith("_") and t != "base.html" and t not in PRINTED]


def test_there_are_templates():
    assert "base.html" in TEMPLATES and len(PAGES) >= 8


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles_with_autoescape(name):
    env = template_environment()
    env.get_template(name)  # raises TemplateSyntaxError if it does not compile
    assert env.autoescape(name) is True


@pytest.mark.parametrize("name", PAGES)
def test_page_defines_its_title(name):
    source = (Path(TEMPLATES_DIR) / name).read_text()
    assert '{% extends "base.html" %}' in source
    assert "{% block title %}" in source
    title = source.split("{% block title %}")[1].split("{% endblock %}")[0]
    assert title.strip()


@pytest.mark.parametrize("name", PRINTED)
def test_printed_document_is_french_and_titled(name):
    source = (Path(TEMPLATES_DIR) / name).read_text()
    assert '<html lang="fr">' in source and "<title>" in source
    assert "http://" not in source and "https://" not in source  # nothing to fetch


def test_no_template_marks_user_content_safe():
    for name in TEMPLATES:
        source = (Path(TEMPLATES_DIR) / name).read_text()
        for line in source.splitlines():
            if "|safe" in line.replace(" ", ""):
                assert "csrf_input" in line, f"{name}: {line.strip()}"


def test_base_layout_is_accessible():
    source = (Path(TEMPLATES_DIR) / "base.html").read_text()
    assert '<html lang="fr">' in source
    assert 'href="#contenu"' in source and 'id="contenu"' in source
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in source
    assert "/accessibilite" in source


def test_every_form_field_has_a_label():
    import re

    for name in TEMPLATES:
        source = (Path(TEMPLATES_DIR) / name).read_text()
        for match in re.finditer(r"<(input|select|textarea)\b[^>]*>", source):
            tag = match.group(0)
            if 'type="hidden"' in tag or 'type="checkbox"' in tag and "id=" not in tag:
                continue
            found = re.search(r'id="([^"]+)"', tag)
            assert found, f"{name}: field without id: {tag}"
            assert f'for="{found.group(1)}"' in source, f"{name}: no label for {found.group(1)}"


def test_only_the_form_macros_write_error_markup():
    """Error messages, aria-invalid and the error summary are written by partials/_forms.html alone,
    so that every form says what is wrong the same way (STYLE.md: shared plumbing exists once)."""
    import re

    hand_written = re.compile(r'aria-invalid|class="(?:[^"]*\s)?error(?:\s[^"]*)?"|id="form-errors"')
    for name in TEMPLATES:
        if name == "partials/_forms.html":
            continue
        source = (Path(TEMPLATES_DIR) / name).read_text()
        for line in source.splitlines():
            assert not hand_written.search(line), f"{name}: {line.strip()} (use the macros of partials/_forms.html)"
