"""Packaging checks: manifest, hacs.json, translations, brand images, quality scale."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
import yaml

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "miele_local"

QUALITY_RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency",
        "docs-actions", "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "entity-event-setup", "entity-unique-id",
        "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery-update-info", "discovery", "docs-data-update",
        "docs-examples", "docs-known-limitations", "docs-supported-devices",
        "docs-supported-functions", "docs-troubleshooting", "docs-use-cases",
        "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip


def _load(name: str) -> dict:
    return json.loads((COMPONENT / name).read_text())


def test_manifest_is_valid_for_a_custom_integration() -> None:
    manifest = _load("manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "miele_local"
    for key in ("version", "documentation", "issue_tracker", "codeowners"):
        assert manifest[key], key
    assert manifest["documentation"].startswith("https://")
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "device"
    assert manifest["iot_class"] == "local_polling"
    assert manifest["requirements"] == []
    assert manifest["zeroconf"] == ["_mieleathome._tcp.local."]
    assert {"macaddress": "001D63*"} in manifest["dhcp"]


def test_hacs_json_uses_only_allowed_keys() -> None:
    allowed = {
        "name", "content_in_root", "country", "filename", "hacs", "hide_default_branch",
        "homeassistant", "persistent_directory", "render_readme", "zip_release",
    }  # fmt: skip
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= allowed
    assert hacs["name"]


def test_translations_match_strings() -> None:
    assert _load("strings.json") == _load("translations/en.json")


def test_brand_images_have_the_expected_sizes() -> None:
    brand = COMPONENT / "brand"
    for name, size in (("icon.png", (256, 256)), ("icon@2x.png", (512, 512))):
        with Image.open(brand / name) as image:
            assert image.size == size
    for name in ("logo.png", "logo@2x.png"):
        with Image.open(brand / name) as image:
            assert 128 <= min(image.size) <= 256


def test_quality_scale_lists_every_rule_honestly() -> None:
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text())["rules"]
    expected = {rule for tier in QUALITY_RULES.values() for rule in tier}
    assert set(rules) == expected
    for name, entry in rules.items():
        status = entry if isinstance(entry, str) else entry["status"]
        assert status in {"done", "exempt", "todo"}, name
        if status != "done":
            assert isinstance(entry, dict), name
            assert entry.get("comment"), name


def test_manifest_claims_no_tier_the_rules_do_not_support() -> None:
    """A tier is claimed only when its rules and those below are all done or exempt."""
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text())["rules"]
    claimed = json.loads((COMPONENT / "manifest.json").read_text()).get("quality_scale")
    met = None
    for tier, names in QUALITY_RULES.items():
        statuses = {
            rules[name] if isinstance(rules[name], str) else rules[name]["status"]
            for name in names
        }
        if not statuses <= {"done", "exempt"}:
            break
        met = tier
    tiers = list(QUALITY_RULES)
    assert claimed is None or (
        met is not None and tiers.index(claimed) <= tiers.index(met)
    )
