from __future__ import annotations

from django.db import models

from minzheng.core.choices import LEVEL_PREFIX, AreaLevel


class Area(models.Model):
    """A node of the administrative tree: city → district/county → street/town → community/village.

    The primary key is the 12-digit statistical code (GB/T 2260 district + 3 street + 3 community), so a
    jurisdiction is a code prefix and scoping a query needs no join.
    """

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """The code prefix shared by this node and everything below it."""
        return self.code[: LEVEL_PREFIX[AreaLevel(self.level)]]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def path(self) -> list[Area]:
        """Ancestors from the city down to this node (one query per level, at most four)."""
        nodes: list[Area] = []
        node: Area | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return list(reversed(nodes))

    def full_name(self) -> str:
        return "".join(a.name for a in self.path() if a.level != AreaLevel.CITY)
