"""Device profiles, connection settings and the JSON config loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mielelocal.connection import (
    ConnectionSettings,
    DeviceProfile,
    SimulatorOptions,
    load_connection_config,
)
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleConfigError

GROUP_ID = "0123456789ABCDEF"
GROUP_KEY_HEX = "5A" * 32 + "C3" * 32


def device(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "000177753917",
        "host": "127.0.0.1:8701",
        "group_id": GROUP_ID,
        "group_key": GROUP_KEY_HEX,
    }
    data.update(overrides)
    return data


def test_profile_from_dict_normalises_and_hides_the_key() -> None:
    profile = DeviceProfile.from_dict(
        device(host=" 192.168.1.50 ", group_key=GROUP_KEY_HEX.lower())
    )
    assert profile.host == "192.168.1.50"
    assert profile.credentials == GroupCredentials.from_hex(GROUP_ID, GROUP_KEY_HEX)
    assert repr(profile) == str(profile)
    assert "group_id='0123456789ABCDEF'" in repr(profile)
    assert GROUP_KEY_HEX not in repr(profile).upper()
    assert "5A5A" not in repr(profile).upper()


def test_profile_is_frozen() -> None:
    profile = DeviceProfile.from_dict(device())
    with pytest.raises(AttributeError):
        profile.host = "10.0.0.1"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"host": "http://x/"}, "host: must be a host name or IP address"),
        ({"id": "00/17"}, "id: must be 1-32 letters or digits"),
        ({"group_id": "0123"}, "group_id: must be 16 hex characters, got 4"),
        (
            {"group_key": "ABCDEF012345"},
            "group_key: must be 128 hex characters, got 12",
        ),
        ({"group_key": 5}, "group_key: must be a string of hex characters"),
    ],
)
def test_profile_errors_name_the_field(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(MieleConfigError) as err:
        DeviceProfile.from_dict(device(**overrides))
    assert str(err.value).startswith(message)


def test_profile_requires_credentials_object() -> None:
    with pytest.raises(MieleConfigError, match="credentials: must be GroupCredentials"):
        DeviceProfile("000177753917", "127.0.0.1", GROUP_KEY_HEX)  # type: ignore[arg-type]


def test_profile_from_dict_refuses_non_mapping() -> None:
    with pytest.raises(MieleConfigError, match=r"^device: must be an object$"):
        DeviceProfile.from_dict(["not", "a", "mapping"])


def test_settings_defaults_and_conversion() -> None:
    settings = ConnectionSettings.from_dict({"retry_delay": 1, "retry_count": 0})
    assert settings == ConnectionSettings(10, 10.0, 60.0, 0, 1.0)
    assert isinstance(settings.retry_delay, float)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"max_connections": 0},
            "connection_settings.max_connections: must be at least 1, got 0",
        ),
        (
            {"max_connections": 2.5},
            "connection_settings.max_connections: must be an integer, got float",
        ),
        (
            {"retry_count": True},
            "connection_settings.retry_count: must be an integer, got bool",
        ),
        (
            {"retry_count": -1},
            "connection_settings.retry_count: must be at least 0, got -1",
        ),
        (
            {"retry_delay": 0},
            "connection_settings.retry_delay: must be a positive number, got 0",
        ),
        (
            {"connection_timeout": "10"},
            "connection_settings.connection_timeout: must be a number, got str",
        ),
        (
            {"health_check_interval": float("inf")},
            "connection_settings.health_check_interval: must be a positive number, got inf",
        ),
        ({"retry_cont": 3}, "connection_settings.retry_cont: is not a known field"),
    ],
)
def test_settings_errors_name_the_field(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(MieleConfigError) as err:
        load_connection_config({"connection_settings": settings})
    assert str(err.value) == message


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {
                "connection_settings": {"max_connections": 4, "retry_delay": 0.5},
                "devices": [
                    device(),
                    device(id="000177753918", simulator={"appliance": "oven"}),
                ],
            }
        )
    )
    config = load_connection_config(path)
    assert [profile.device_id for profile in config.devices] == [
        "000177753917",
        "000177753918",
    ]
    assert config.settings.max_connections == 4
    assert config.settings.retry_delay == 0.5
    assert config.simulators == {"000177753918": SimulatorOptions("oven", 1.0)}
    assert load_connection_config(str(path)) == config


def test_the_shipped_example_config_loads() -> None:
    config = load_connection_config(
        Path(__file__).parents[3] / "examples" / "connection_config.json"
    )
    assert len(config.devices) == 2
    assert {profile.host for profile in config.devices} == {
        "127.0.0.1:8711",
        "127.0.0.1:8712",
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "config: must be a mapping or the path of a JSON file"),
        ({"devices": {}}, "devices: must be a list"),
        ({"connection_settings": []}, "connection_settings: must be an object"),
        (
            {"settings": {}},
            "settings: is not a known field (did you mean 'connection_settings'?)",
        ),
        ({"devices": [device(extra=1)]}, "devices[0].extra: is not a known field"),
        (
            {"devices": [device(device_id="000177753917")]},
            "devices[0].device_id: is not a known field (did you mean 'id'?)",
        ),
        (
            {"devices": [device(simulator=[])]},
            "devices[0].simulator: must be an object",
        ),
        (
            {"devices": [device(simulator={"appliance": ""})]},
            "devices[0].simulator.appliance: must be a template name",
        ),
        (
            {"devices": [device(simulator={"wake_delay": "1"})]},
            "devices[0].simulator.wake_delay: must be a number",
        ),
        (
            {"devices": [device(simulator={"wake_delay": -1})]},
            "devices[0].simulator.wake_delay: must be zero or more",
        ),
        (
            {"devices": [device(simulator={"port": 1})]},
            "devices[0].simulator.port: is not a known field",
        ),
        ({"devices": [device(), 3]}, "devices[1]: must be an object"),
        ({"devices": [device(), {"host": "x"}]}, "devices[1].id: is required"),
        (
            {"devices": [device(), device(group_key="ABCDEF012345")]},
            "devices[1].group_key: must be 128 hex characters, got 12",
        ),
        ({"devices": [device(), device()]}, "devices[1].id: is listed twice"),
    ],
)
def test_config_errors_name_the_field(config: object, message: str) -> None:
    with pytest.raises(MieleConfigError) as err:
        load_connection_config(config)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_config_errors_never_contain_key_material() -> None:
    bad_key = GROUP_KEY_HEX[:-2] + "ZZ"
    with pytest.raises(MieleConfigError) as err:
        load_connection_config({"devices": [device(group_key=bad_key)]})
    assert err.value.field == "devices[0].group_key"
    assert "5A5A" not in str(err.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(MieleConfigError, match=r"^config: cannot read .*missing\.json"):
        load_connection_config(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"devices": [\n  {"group_key": "' + GROUP_KEY_HEX + '",}]}')
    with pytest.raises(MieleConfigError) as err:
        load_connection_config(broken)
    not_an_object = tmp_path / "list.json"
    not_an_object.write_text("[]")
    with pytest.raises(MieleConfigError, match=r"^config: must be a JSON object$"):
        load_connection_config(not_an_object)
    assert "is not valid JSON (line 2," in str(err.value)
    assert GROUP_KEY_HEX not in str(err.value)
