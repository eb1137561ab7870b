"""An import-linter contract type: bounded contexts import only the contexts they declare.

    [[tool.importlinter.contracts]]
    type = "contexts"
    layers = ["domain", "application", "adapters", "entrypoints.http"]
    shared = ["shared", "postgres"]          # below every context; they import no context
    contexts = ["catalog:", "playback: catalog, identity"]

Every package directly inside a layer must be a declared context or shared, so a new context
cannot slip in without its line. Checked on direct imports, across layers: `adapters.catalog`
importing `application.playback` breaks it as surely as `domain.catalog` importing `domain.playback`.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class ContextContract(Contract):
    type_name = "contexts"

    layers = fields.ListField(subfield=fields.StringField())
    shared = fields.ListField(subfield=fields.StringField())
    contexts = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        layers: list[str] = list(self.layers)  # type: ignore[call-overload]
        shared: set[str] = set(self.shared)  # type: ignore[call-overload]
        allowed: dict[str, set[str]] = {}
        for line in self.contexts:  # type: ignore[attr-defined]
            name, _, uses = line.partition(":")
            allowed[name.strip()] = {use.strip() for use in uses.split(",") if use.strip()} | {name.strip()} | shared
        for name in shared:
            allowed[name] = set(shared)

        def context_of(module: str) -> str | None:
            for layer in layers:
                if module.startswith(layer + "."):
                    return module[len(layer) + 1 :].split(".", 1)[0]
            return None

        undeclared = sorted(
            {
                f"{layer}.{child.rsplit('.', 1)[-1]}"
                for layer in layers
                for child in graph.find_children(layer)
                if graph.find_children(child) and child.rsplit(".", 1)[-1] not in allowed
            }
        )
        violations = []
        for layer in layers:
            for context in allowed:
                package = f"{layer}.{context}"
                if package not in graph.modules:
                    continue
                for importer in sorted({package, *graph.find_descendants(package)}):
                    for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                        target = context_of(imported)
                        if target in allowed and target not in allowed[context]:
                            violations.append(f"{importer} imports {imported} ({context} may not use {target})")
        output.verbose_print(verbose, f"{len(violations)} cross-context imports not declared")
        metadata = {"violations": violations, "undeclared": undeclared}
        return ContractCheck(kept=not violations and not undeclared, metadata=metadata)

    def render_broken_contract(self, check: ContractCheck) -> None:
        for package in check.metadata["undeclared"]:
            output.print_error(f"{package} is not a declared context: add its line to the contract")
        for violation in check.metadata["violations"]:
            output.print_error(violation)
