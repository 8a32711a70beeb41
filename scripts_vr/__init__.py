"""The VR-script format: what a care team wants a prospective student to see, and why.

A VR script is one YAML file per organisation and care category, written by a practice trainer in
the shape of the Leerwerkplaatsprofiel 3.0 (see :mod:`scripts_vr.model`). The front door::

    load_script(path) -> VRScript             validated script, or ScriptUnreadable / ScriptInvalid
    lint_file(path, footage=None) -> list[Problem]   every problem at once, each at file:line:col;
                                              with a footage lookup (KnownFootage) also the
                                              footage checks: in the catalog, in/out, photos
    lint_files(paths) -> list[LintResult]     the same for many files; unreadable ones included
    new_script(category, ...) -> str          a filled-in template for a care category
    write_script(text, path, force=False)     write it atomically, never overwriting by accident
    freshness(paths, today, days) -> FreshnessReport   volatile facts that are due, per owner

Errors (drawn in :mod:`scripts_vr.errors`)::

    ZorgblikError
    └── ScriptError
        ├── ScriptUnreadable  (exit 2) not YAML, binary, not UTF-8, empty, too large, unsafe tag, ...
        ├── ScriptInvalid     (exit 1) carries .problems, a list of Problem
        └── ScriptExists      (exit 1) 'script new' would overwrite a file
"""

import lazy_loader as _lazy

# Names load from their module on first use, so a command imports only what it runs
# (pydantic's script model only when a script is read).
__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submod_attrs={
        "checks": ["FootageLookup", "KnownFootage"],
        "errors": ["Problem", "ScriptError", "ScriptExists", "ScriptInvalid", "ScriptUnreadable"],
        "freshness": ["DueFact", "FreshnessReport", "freshness", "volatile_facts"],
        "lint": ["LintResult", "exit_code", "lint_file", "lint_files", "load_script"],
        "model": ["FORMAT", "TEMPLATE_CATEGORIES", "Fact", "Scene", "Volatile", "VRScript", "plain"],
        "templates": ["new_script", "write_script"],
    },
)
