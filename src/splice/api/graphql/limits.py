"""Query size limits: a maximum selection depth and a maximum number of selected fields."""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

__all__ = ["size_limit_rule"]


def size_limit_rule(max_depth: int, max_fields: int) -> type[ASTValidationRule]:
    """A validation rule refusing operations deeper than ``max_depth`` or wider than ``max_fields``."""

    class QuerySizeLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self._fragments: dict[str, FragmentDefinitionNode] = {
                d.name.value: d
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            counter = [0]
            depth = self._depth(node.selection_set, 0, counter, frozenset())
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"the query is {depth} levels deep; the limit is {max_depth}",
                        node,
                    )
                )
            elif counter[0] > max_fields:
                self.report_error(
                    GraphQLError(
                        f"the query selects {counter[0]} fields; the limit is {max_fields}",
                        node,
                    )
                )

        def _depth(
            self,
            selection_set: SelectionSetNode | None,
            level: int,
            counter: list[int],
            seen: frozenset[str],
        ) -> int:
            if selection_set is None:
                return level
            deepest = level
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    counter[0] += 1
                    deepest = max(
                        deepest, self._depth(selection.selection_set, level + 1, counter, seen)
                    )
                elif isinstance(selection, InlineFragmentNode):
                    deepest = max(
                        deepest, self._depth(selection.selection_set, level, counter, seen)
                    )
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self._fragments.get(name)
                    if fragment is not None and name not in seen:
                        deepest = max(
                            deepest,
                            self._depth(fragment.selection_set, level, counter, seen | {name}),
                        )
            return deepest

    return QuerySizeLimit
