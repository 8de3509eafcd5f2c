"""The floors Revital's pages are measured against: a bare JSON endpoint and a bare Jinja page."""

from jinja2 import DictLoader, Environment
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

PAGE = """<!doctype html><html lang="fr"><head><title>{{ title }}</title></head><body><main><h1>{{ title }}</h1>
<ul>{% for item in items %}<li><a href="/items/{{ item.id }}">{{ item.name }}</a> — {{ item.text }}</li>{% endfor %}</ul>
</main></body></html>"""

ITEMS = [{"id": i, "name": f"Élément {i}", "text": "Un texte court pour la liste. " * 3} for i in range(20)]


@get("/json", sync_to_thread=False)
def bare_json() -> dict:
    return {"status": "ok"}


@get("/page", sync_to_thread=False)
def bare_page() -> Template:
    return Template(template_name="page.html", context={"title": "Plancher", "items": ITEMS})


def create_app() -> Litestar:
    env = Environment(loader=DictLoader({"page.html": PAGE}), autoescape=True)
    return Litestar(
        route_handlers=[bare_json, bare_page],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(env)),
        openapi_config=None,
    )

