"""Sphinx fixes for the rendered book, loaded from _config.yml (sphinx.local_extensions).

- Jupyter Book 1.x registers some inline scripts twice (once with filename None, once with
  ''), so every page threw "Identifier 'THEBE_JS_URL' has already been declared" in the
  browser console. Each page now gets every script once.
"""


def _unique_scripts(app, pagename, templatename, context, doctree):
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        attributes = sorted(getattr(script, "attributes", {}).items())
        key = (getattr(script, "filename", script) or "", repr(attributes))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"][:] = scripts  # in place: handlers after this one add to this list


def setup(app):
    # Early: a later handler may end the event by returning a template name.
    app.connect("html-page-context", _unique_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
