"""The public API is documented: what `./eiscope docs` renders (pdoc, from eiscope.__all__ and
the eiscope.commands module) has a docstring for every class, function, method and property,
so the reference has no blank entries. No server is needed."""

import inspect
import types

import eiscope


def public_api():
    """(qualified name, object) of every documented entry: the names in eiscope.__all__, the
    public methods and properties of its classes (inherited ones included, as Client's from its
    run-record and time-travel mixins), and the public functions of its modules."""
    for name in eiscope.__all__:
        obj = getattr(eiscope, name)
        yield name, obj
        if isinstance(obj, types.ModuleType):
            for member, value in vars(obj).items():
                if (
                    not member.startswith("_")
                    and getattr(value, "__module__", None) == obj.__name__
                    and (inspect.isfunction(value) or inspect.isclass(value))
                ):
                    yield f"{name}.{member}", value
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for member, value in inspect.getmembers(obj):
                if member.startswith("_"):
                    continue
                if isinstance(value, property):
                    yield f"{name}.{member}", value.fget
                elif inspect.isfunction(value) or inspect.ismethod(value):
                    yield f"{name}.{member}", value


def test_every_public_class_function_method_and_property_has_a_docstring():
    entries = dict(public_api())
    assert "Client.history" in entries and "commands.prune" in entries
    missing = [name for name, obj in entries.items() if not (obj.__doc__ or "").strip()]
    assert not missing, f"public API without a docstring: {missing}"


def test_the_notebook_module_is_documented_too():
    """eiscope.notebook (the notebook extra): its functions, classes and their public methods
    and properties, inherited ones included."""
    import eiscope.notebook as notebook

    entries = {}
    for name in notebook.__all__:
        obj = getattr(notebook, name)
        entries[name] = obj
        if inspect.isclass(obj):
            for member, value in inspect.getmembers(obj):
                if not member.startswith("_"):
                    entries[f"{name}.{member}"] = value.fget if isinstance(value, property) else value
    assert {"live_curves", "LiveCurves.wait_for_step", "WeightHeatmap.values", "LiveCurves.stop"} <= set(
        entries
    )
    missing = [name for name, obj in entries.items() if callable(obj) and not (obj.__doc__ or "").strip()]
    assert not missing, f"eiscope.notebook without a docstring: {missing}"
