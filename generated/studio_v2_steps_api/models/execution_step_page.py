from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecutionStepPage")


@_attrs_define
class ExecutionStepPage:
    """Attributes:
    steps (list[ExecutionStep] | Unset):
    meta (PageMeta | Unset):
    """

    steps: list[ExecutionStep] | Unset = UNSET
    meta: PageMeta | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        steps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.steps, Unset):
            steps = []
            for steps_item_data in self.steps:
                steps_item = steps_item_data.to_dict()
                steps.append(steps_item)

        if steps is not UNSET:
            field_dict["steps"] = steps
        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()
        if meta is not UNSET:
            field_dict["meta"] = meta
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):  # dict() would accept a list of pairs
            raise TypeError("ExecutionStepPage: expected an object, got " + type(src_dict).__name__)
        d = dict(src_dict)
        pop = d.pop
        _steps = pop("steps", UNSET)
        steps: list[ExecutionStep] | Unset = UNSET
        if _steps is not UNSET:
            steps = []
            for steps_item_data in _steps:
                steps_item = ExecutionStep.from_dict(steps_item_data)

                steps.append(steps_item)

        _meta = pop("meta", UNSET)
        meta: PageMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = PageMeta.from_dict(_meta)

        obj = cls(
            steps=steps,
            meta=meta,
        )
        obj.additional_properties = d
        return obj

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties)

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported here, after the class exists, so that models referring to each other load.
from ..models.execution_step import ExecutionStep  # noqa: E402
from ..models.page_meta import PageMeta  # noqa: E402
