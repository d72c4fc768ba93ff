"""Entities: Person, and Household (户) as a group entity with the roles head (户主) and member."""

from openfisca_core.entities import build_entity

Household = build_entity(
    key="household",
    plural="households",
    label="户 household",
    doc="A household of the low-income archive: its members are assessed together (一次申请).",
    roles=[
        {"key": "head", "plural": "heads", "label": "户主 head", "max": 1},
        {"key": "member", "plural": "members", "label": "其他成员 other member"},
    ],
)

Person = build_entity(
    key="person",
    plural="persons",
    label="个人 person",
    doc="A member of a household.",
    is_person=True,
)

entities = [Household, Person]
