"""Every public service function records audit entries or says why it does not."""

from __future__ import annotations

from circulate.audit import registry


def test_every_public_service_function_is_audited_or_exempt_with_a_reason() -> None:
    # given every public function of every services module
    functions = dict(registry.public_service_functions())
    # when
    undeclared = sorted(
        name
        for name, function in functions.items()
        if not registry.declared_actions(function) and name not in registry.NOT_AUDITED
    )
    # then
    assert undeclared == [], "mark these with @audited(...) or list them in audit.registry.NOT_AUDITED with a reason"


def test_the_exemption_list_names_only_functions_that_exist_and_are_not_audited() -> None:
    # given
    functions = dict(registry.public_service_functions())
    # then
    assert sorted(set(registry.NOT_AUDITED) - set(functions)) == []
    assert [name for name in registry.NOT_AUDITED if registry.declared_actions(functions[name])] == []
    assert all(reason.strip() for reason in registry.NOT_AUDITED.values())


def test_the_walk_finds_the_library_services_in_their_package() -> None:
    names = dict(registry.public_service_functions())
    assert "circulate.library.services.loans.issue_loan" in names
    assert registry.declared_actions(names["circulate.library.services.loans.issue_loan"]) == (
        "library.loan.issue",
        "library.reservation.fulfil",
    )
    # package-private helper modules are not services
    assert not any(name.startswith("circulate.library.services._") for name in names)
