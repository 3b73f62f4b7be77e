"""The instances a resource block creates, as the checks on one resource judge them.

A block with `count`/`for_each` over a known collection is judged once per instance, with that
instance's values (`encryption_key_arn = each.value.kms` is null for one entry and set for
another); a block whose collection is unknown is judged as written, with its per-instance values
left unknown (they never produce a finding); a block whose `count`/`for_each` certainly creates
nothing is not judged. CloudFormation resources are their own single instance.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from aiaas_iac.context import ScanContext
from aiaas_iac.model import Resource
from aiaas_iac.terraform_instances import declared, instance_address, instances


def created_instances(ctx: ScanContext, resource: Resource) -> list[tuple[str, Resource]]:
    """(instance address, the instance with its values) for each instance `resource` creates."""
    if resource.format != "terraform":
        return [(resource.address, resource)]
    if declared(ctx, resource) is None:
        return []
    return [(instance_address(resource.address, key), instance) for key, instance in instances(ctx, resource)]


def each_created_instance(ctx: ScanContext, resources: Iterable[Resource]) -> Iterator[tuple[Resource, str, Resource]]:
    """(scanned resource, instance address, instance) over `resources`."""
    for resource in resources:
        for address, instance in created_instances(ctx, resource):
            yield resource, address, instance
