"""Packaging checks: manifest, hacs.json, translations, brand images, quality scale."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

from PIL import Image
import yaml

from custom_components.miele_local import PLATFORMS
from custom_components.miele_local.device_trigger import TRIGGER_TYPES

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "miele_local"

# The 54 rules of Home Assistant's integration quality scale, by tier, as listed on
# developers.home-assistant.io ("Integration quality scale rules"; docs-triggers and
# docs-conditions joined Bronze in July 2026).
QUALITY_RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency",
        "docs-actions", "docs-triggers", "docs-conditions", "docs-high-level-description",
        "docs-installation-instructions", "docs-removal-instructions", "entity-event-setup",
        "entity-unique-id", "has-entity-name", "runtime-data", "test-before-configure",
        "test-before-setup", "unique-config-entry",
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
ALL_RULES = {rule for tier in QUALITY_RULES.values() for rule in tier}
# A repository path, optionally followed by ::test_name.
REFERENCE = re.compile(
    r"(?<![\w/.])((?:custom_components|tests|blueprints|docs|scripts|simulator|\.ci)/"
    r"[\w./@-]*\w|README\.md|pyproject\.toml)(?:::(\w+))?"
)
README_SECTIONS = re.compile(r'README\.md, ((?:"[^"]+"(?:, | and )?)+)')


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


def _rules() -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = yaml.safe_load(
        (COMPONENT / "quality_scale.yaml").read_text()
    )["rules"]
    return rules


def test_quality_scale_lists_the_54_current_rules() -> None:
    assert len(ALL_RULES) == 54
    assert set(_rules()) == ALL_RULES


def test_quality_scale_lists_every_rule_honestly() -> None:
    """Every rule says why: what shows it done, why it cannot apply, or what is missing."""
    for name, entry in _rules().items():
        assert isinstance(entry, dict), name
        assert set(entry) == {"status", "comment"}, name
        assert entry["status"] in {"done", "exempt", "todo"}, name
        assert len(entry["comment"]) >= 20, name


def test_quality_scale_comments_name_what_exists() -> None:
    """A done rule names a file or test; every named file, test and README section exists."""
    readme_headings = {
        line.lstrip("#").strip()
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("#")
    }
    for name, entry in _rules().items():
        comment = entry["comment"]
        references = REFERENCE.findall(comment)
        if entry["status"] == "done":
            assert references, name
        for path, test in references:
            target = ROOT / path
            assert target.exists(), (name, path)
            if test:
                tree = ast.parse(target.read_text())
                defined = {
                    node.name
                    for node in tree.body
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                }
                assert test in defined, (name, path, test)
        for sections in README_SECTIONS.findall(comment):
            for section in re.findall(r'"([^"]+)"', sections):
                assert section in readme_headings, (name, section)


def test_manifest_claims_no_tier_the_rules_do_not_support() -> None:
    """A tier is claimed only when its rules and those below are all done or exempt."""
    rules = _rules()
    claimed = json.loads((COMPONENT / "manifest.json").read_text()).get("quality_scale")
    met = None
    for tier, names in QUALITY_RULES.items():
        statuses = {rules[name]["status"] for name in names}
        if not statuses <= {"done", "exempt"}:
            break
        met = tier
    tiers = list(QUALITY_RULES)
    assert claimed is None or (
        met is not None and tiers.index(claimed) <= tiers.index(met)
    )


def test_exemptions_still_hold() -> None:
    """No service actions (action-setup, docs-actions) and no conditions (docs-conditions)."""
    assert not (COMPONENT / "services.yaml").exists()
    assert not (COMPONENT / "device_condition.py").exists()
    assert not (COMPONENT / "conditions.yaml").exists()
    assert not (COMPONENT / "condition.py").exists()
    for module in COMPONENT.rglob("*.py"):
        text = module.read_text()
        for registration in (
            "services.async_register",
            "async_register_entity_service",
            "async_register_platform_entity_service",
        ):
            assert registration not in text, (module, registration)


def test_every_platform_sets_parallel_updates() -> None:
    for platform in PLATFORMS:
        module = COMPONENT / f"{platform.value}.py"
        assert re.search(
            r"^PARALLEL_UPDATES = \d+$", module.read_text(), re.MULTILINE
        ), module


def test_every_config_field_has_a_description() -> None:
    strings = _load("strings.json")
    for section in ("config", "options"):
        for step_id, step in strings[section]["step"].items():
            fields = set(step.get("data", {}))
            assert fields <= set(step.get("data_description", {})), (section, step_id)


def test_icon_translations_name_real_entities() -> None:
    icons = _load("icons.json")["entity"]
    names = _load("strings.json")["entity"]
    for platform, keys in icons.items():
        assert set(keys) <= set(names[platform]), platform
        for key, icon in keys.items():
            assert icon.get("default", "").startswith("mdi:"), (platform, key)


def test_readme_documents_every_device_trigger() -> None:
    """docs-triggers: each trigger by the name the editor shows and its YAML type."""
    readme = (ROOT / "README.md").read_text()
    shown = _load("strings.json")["device_automation"]["trigger_type"]
    section = readme[readme.index("## Triggers and conditions") :]
    assert set(shown) == TRIGGER_TYPES
    for trigger_type in TRIGGER_TYPES:
        assert f"`{trigger_type}`" in section, trigger_type
        assert f"**{shown[trigger_type]}**" in section, trigger_type
    assert "type: pairing_lost" in section
    assert "no conditions" in section


def test_readme_and_protocol_links_stay_in_the_repository() -> None:
    """Relative links of the README and docs/protocol.md resolve to files of this repository."""
    for document in (ROOT / "README.md", ROOT / "docs" / "protocol.md"):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", document.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            resolved = (document.parent / target).resolve()
            assert resolved.is_relative_to(ROOT.resolve()), (document.name, target)
            assert resolved.exists(), (document.name, target)


def test_nothing_points_outside_the_repository() -> None:
    """The protocol reference is docs/protocol.md; no file cites a copy outside the repo."""
    needles = ("shared" + "/docs", "../" + "shared")
    skip = {".git", ".venv", ".dev", ".artifacts", ".hypothesis", "node_modules"}
    for path in ROOT.rglob("*"):
        if (
            path.is_dir()
            or skip & set(path.relative_to(ROOT).parts)
            or any(part.endswith("_cache") for part in path.parts)
            or path.suffix
            not in {".py", ".md", ".yaml", ".yml", ".json", ".toml", ".txt", ".sh", ""}
        ):
            continue
        text = path.read_text(errors="replace")
        for needle in needles:
            assert needle not in text, (path.relative_to(ROOT), needle)


def test_protocol_reference_carries_every_pinned_vector() -> None:
    """Each hex vector the crypto and SuperVision tests pin appears in docs/protocol.md."""
    protocol = (ROOT / "docs" / "protocol.md").read_text()
    found = 0
    for test_file in ("test_crypto.py", "test_supervision.py"):
        tree = ast.parse((ROOT / "tests" / "miele" / test_file).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
                text = (
                    node.value.decode("latin-1")
                    if isinstance(node.value, bytes)
                    else node.value
                )
                for vector in re.findall(r"[0-9A-Fa-f]{32,}", text):
                    found += 1
                    assert vector in protocol, (test_file, vector)
    assert found >= 8
