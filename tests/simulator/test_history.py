"""The bounded request and action logs."""

from __future__ import annotations

import pytest

from simulator import HISTORY_LIMIT, History, SimulatedAppliance
from tests.simulator.rawclient import send


def test_history_keeps_the_newest_entries_and_counts_all() -> None:
    history: History[int] = History(limit=3)
    for number in range(5):
        history.append(number)
    assert history == [2, 3, 4]
    assert history != [1, 2, 3]
    assert len(history) == 3
    assert history.total == 5
    assert history[0] == 2
    assert history[-1] == 4
    assert history[-2:] == [3, 4]
    assert 3 in history
    assert 1 not in history
    assert repr(history) == "History([2, 3, 4], total=5)"


def test_clear_empties_the_history_but_keeps_the_total() -> None:
    history: History[str] = History()
    history.append("a")
    history.clear()
    assert history == []
    assert history.total == 1


def test_history_equality_is_with_sequences_only() -> None:
    history: History[str] = History()
    history.append("a")
    assert history == ("a",)
    assert history != "a"
    assert history != {"a"}
    with pytest.raises(TypeError):
        hash(history)


def test_a_history_needs_room() -> None:
    with pytest.raises(ValueError, match="at least one"):
        History(limit=0)


async def test_an_appliance_bounds_its_logs_and_reports_totals(session, creds) -> None:
    default = SimulatedAppliance()
    assert default.requests.limit == default.actions.limit == HISTORY_LIMIT
    async with SimulatedAppliance(
        "oven", credentials=creds, history_limit=2, control_port=0
    ) as sim:
        path = f"/Devices/{sim.device_id}/State"
        for action in ({"Light": 2}, {"Light": 1}, {"Light": 2}):
            answer = await send(session, sim.host, creds, "PUT", path, action)
            assert answer.status == 204
        assert sim.actions == [{"Light": 1}, {"Light": 2}]
        assert [record.method for record in sim.requests] == ["PUT", "PUT"]
        async with session.get(f"http://127.0.0.1:{sim.control_port}/status") as reply:
            counters = (await reply.json())["counters"]
        assert counters["requests"] == 3
        assert counters["actions"] == 3
