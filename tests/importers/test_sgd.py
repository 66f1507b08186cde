"""Tests of the SGD importer on the real Schema-Guided Dialogue subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.conversations import load_scenario_file, load_suite
from harness.errors import ImportDataError
from harness.importers.sgd import import_sgd, import_sgd_file, pseudo_cohort, write_scenario_file

DATA = Path("/work/shared/data/sgd")
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="the SGD subset is not available")


@pytest.fixture(scope="module")
def imported() -> dict[str, object]:
    return {result.intent: result for result in import_sgd([DATA])}


def scenario_of(imported: dict, intent: str, dialogue_id: str):
    for scenario in imported[intent].scenarios:
        if scenario.metadata["dialogue_id"] == dialogue_id:
            return scenario
    raise AssertionError(f"dialogue {dialogue_id} not imported for {intent}")


def test_import_every_intent(imported: dict) -> None:
    assert sorted(imported) == [
        "book_appointment",
        "buy_event_tickets",
        "check_balance",
        "find_provider",
        "find_restaurants",
        "reserve_hotel",
        "reserve_restaurant",
        "transfer_money",
    ]
    assert all(len(result.scenarios) == 50 for result in imported.values())


@pytest.mark.parametrize(
    ("intent", "policy"),
    [
        ("book_appointment", "clarify"),
        ("reserve_hotel", "clarify"),
        ("find_restaurants", "clarify"),
        ("check_balance", "answer"),
        ("find_provider", "answer"),
    ],
)
def test_policy_from_opening_requests(imported: dict, intent: str, policy: str) -> None:
    assert imported[intent].policy == policy


def test_opening_request_asks_for_slots(imported: dict) -> None:
    scenario = scenario_of(imported, "book_appointment", "36_00069")
    first = scenario.turns[0]

    assert scenario.id == "book_appointment-0001"
    assert first.user == "I've been feeling sort of unwell recently, so I want to go see a doctor."
    assert first.reference.startswith("Is there a specific doctor you'd prefer?")
    assert first.expect.asks_for == ["doctor_name", "appointment_date", "appointment_time"]
    assert first.expect.next_step == "ask"


def test_confirm_uses_system_wording(imported: dict) -> None:
    turn = scenario_of(imported, "book_appointment", "36_00069").turns[1]

    # The user wrote 15:30; the system read it back as 3:30 pm.
    assert turn.expect.confirms == ["Jonathan S. Berek, MD, MMS", "3:30 pm", "March 10th"]
    assert turn.expect.next_step == "confirm"


def test_success_with_database_fact(imported: dict) -> None:
    turn = scenario_of(imported, "book_appointment", "36_00069").turns[2]

    assert turn.expect.next_step == "complete"
    assert turn.expect.mentions == []
    assert "900 Blake Wilbur Drive" in turn.reference


def test_closing_turn_kept(imported: dict) -> None:
    last = scenario_of(imported, "book_appointment", "36_00069").turns[-1]

    assert last.user == "No, that's alright."
    assert last.reference == "Have a nice day."
    assert last.expect is None


def test_confirm_drops_default_values(imported: dict) -> None:
    turn = scenario_of(imported, "reserve_restaurant", "43_00096").turns[1]

    # The system also read back "today" and a party of "2", which the user never gave.
    assert turn.expect.confirms == ["Palermo Italian Restaurant", "San Jose", "7:30 pm"]


def test_time_digit_not_party_size(imported: dict) -> None:
    # "afternoon 2." gives the time; the party of 2 is the system's default.
    turn = scenario_of(imported, "find_restaurants", "2_00008").turns[4]

    assert turn.user == "afternoon 2."
    assert turn.expect.confirms == ["Santa Rosa", "2 pm", "March 11th"]


def test_offer_mentions_user_city_only(imported: dict) -> None:
    turn = scenario_of(imported, "find_provider", "29_00036").turns[0]

    assert turn.expect.next_step == "offer"
    assert turn.expect.mentions == ["San Ramon"]


def test_failure_then_more_is_inform(imported: dict) -> None:
    turn = scenario_of(imported, "find_restaurants", "2_00008").turns[5]

    assert turn.reference.startswith("Sorry, this reservation did not go through.")
    assert turn.expect.next_step == "inform"


def test_balance_offer_mentions_account(imported: dict) -> None:
    turn = scenario_of(imported, "check_balance", "5_00009").turns[0]

    assert turn.expect.next_step == "offer"
    assert turn.expect.mentions == ["savings"]


def test_transfer_confirm_amount(imported: dict) -> None:
    turn = scenario_of(imported, "transfer_money", "40_00039").turns[2]

    assert turn.expect.confirms == ["savings", "$1,060", "Abhinav", "checking"]


def test_confirm_relative_date_by_canonical(imported: dict) -> None:
    # The user wrote "the 6th"; the system said "next Wednesday" (both 2019-03-06).
    turn = scenario_of(imported, "reserve_hotel", "26_00037").turns[2]

    assert turn.expect.confirms == ["London", "2", "next Wednesday", "next Thursday"]


def test_metadata_names_origin(imported: dict) -> None:
    scenario = scenario_of(imported, "book_appointment", "36_00069")

    assert scenario.metadata["source_file"] == "train/dialogues_036.json"
    assert scenario.metadata["services"] == "Services_3"


def test_pseudo_cohort_stable() -> None:
    assert pseudo_cohort("36_00069") == pseudo_cohort("36_00069")


def test_pseudo_cohort_spreads(imported: dict) -> None:
    sources = {scenario.source for result in imported.values() for scenario in result.scenarios}
    campaigns = {scenario.campaign for result in imported.values() for scenario in result.scenarios}

    assert sources == {"dm", "story_reply", "comment", "ad"}
    assert campaigns == {"spring-promo", "referral", "always-on"}


def test_round_trip_through_file(imported: dict, tmp_path: Path) -> None:
    result = imported["transfer_money"]

    path = write_scenario_file(result, tmp_path)

    assert path == tmp_path / "transfer_money.yaml"
    assert load_scenario_file(path) == result.scenarios


def test_bundled_scenarios_current(imported: dict) -> None:
    suite = load_suite([REPO / "scenarios"])
    expected = [scenario for result in imported.values() for scenario in result.scenarios]

    assert len(suite.scenarios) == 400
    assert suite.scenarios == expected


def test_cli_writes_files(tmp_path: Path) -> None:
    code = main(["import", "sgd", str(DATA / "check_balance.json"), "--out", str(tmp_path)])

    assert code == 0
    assert [path.name for path in tmp_path.iterdir()] == ["check_balance.yaml"]


def test_cli_refuses_overwrite(tmp_path: Path, capsys) -> None:
    target = tmp_path / "check_balance.yaml"
    target.write_text("# kept\n", encoding="utf-8")
    code = main(["import", "sgd", str(DATA / "check_balance.json"), "--out", str(tmp_path)])

    assert code == 2
    assert "--force" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# kept\n"


def test_cli_force_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "check_balance.yaml"
    target.write_text("# old\n", encoding="utf-8")
    code = main(["import", "sgd", str(DATA / "check_balance.json"), "--out", str(tmp_path), "--force"])

    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("# Generated by")


# Malformed input.


def write_json(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def good_dialogue() -> dict:
    return json.loads((DATA / "book_appointment.json").read_text(encoding="utf-8"))[0]


def test_error_not_a_list(tmp_path: Path) -> None:
    path = write_json(tmp_path, "book_appointment.json", {"dialogue_id": "1"})

    with pytest.raises(ImportDataError, match="expected a JSON list of dialogues, found dict"):
        import_sgd_file(path)


def test_error_names_dialogue_and_field(tmp_path: Path) -> None:
    broken = good_dialogue()
    del broken["turns"][2]["utterance"]
    path = write_json(tmp_path, "book_appointment.json", [good_dialogue(), broken])

    with pytest.raises(ImportDataError) as caught:
        import_sgd_file(path)

    assert caught.value.path == str(path)
    assert caught.value.field == "[1].turns.2.utterance"
    assert "dialogue 1 (id 36_00069)" in caught.value.message


def test_error_unknown_field(tmp_path: Path) -> None:
    broken = good_dialogue()
    broken["turns"][0]["speeker"] = "USER"
    path = write_json(tmp_path, "book_appointment.json", [broken])

    with pytest.raises(ImportDataError) as caught:
        import_sgd_file(path)

    assert caught.value.field == "[0].turns.0.speeker"
    assert caught.value.message.endswith("unknown field")


def test_error_speakers_not_alternating(tmp_path: Path) -> None:
    broken = good_dialogue()
    broken["turns"][1]["speaker"] = "USER"
    path = write_json(tmp_path, "book_appointment.json", [broken])

    with pytest.raises(ImportDataError) as caught:
        import_sgd_file(path)

    assert caught.value.field == "[0].turns.1.speaker"
    assert "expected a SYSTEM turn, found USER" in caught.value.message


def test_error_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "book_appointment.json"
    path.write_text('[{"dialogue_id": "1", ', encoding="utf-8")

    with pytest.raises(ImportDataError, match="invalid JSON") as caught:
        import_sgd_file(path)

    assert caught.value.line == 1


def test_error_file_not_intent(tmp_path: Path) -> None:
    path = write_json(tmp_path, "Book Appointment.json", [good_dialogue()])

    with pytest.raises(ImportDataError, match="is not an intent name"):
        import_sgd_file(path)


def test_error_empty_folder(tmp_path: Path) -> None:
    write_json(tmp_path, "schema.json", [])

    with pytest.raises(ImportDataError, match="no <intent>.json files"):
        import_sgd([tmp_path])


def test_cli_invalid_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    write_json(source, "book_appointment.json", [good_dialogue()])
    write_json(source, "check_balance.json", [{"dialogue_id": "x"}])
    out = tmp_path / "out"

    code = main(["import", "sgd", str(source), "--out", str(out)])

    assert code == 2
    assert not out.exists()
