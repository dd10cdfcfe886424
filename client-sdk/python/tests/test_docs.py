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
