"""The bibliography: one key per work, every cited key known, runs record what they used."""

import re

import pytest

from laserskin.core import citations
from laserskin.core.errors import InputError


def _normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def test_no_work_appears_twice():
    entries = citations.all_citations()
    dois = [entry.doi.lower() for entry in entries if entry.doi]
    assert len(dois) == len(set(dois)), "a DOI under two keys"
    texts = [_normalised(entry.text) for entry in entries]
    assert len(texts) == len(set(texts)), "a reference under two keys"


def test_recording_collects_the_keys_cited_inside_the_block():
    with citations.recording() as outer:
        citations.cite("pennes1948")
        with citations.recording() as inner:
            citations.cite("wang1995mcml")
    assert inner == {"wang1995mcml"}
    assert outer == {"pennes1948", "wang1995mcml"}


def test_deferred_keys_reach_the_record_only_when_cited_again():
    """The planner's alternative device is planned ahead of its use: its sources wait until the plan lists it."""
    with citations.recording() as outer:
        with citations.deferred() as ahead:
            citations.cite("wang1995mcml")
        assert ahead == {"wang1995mcml"} and outer == set()
        citations.cite(*ahead)
    assert outer == {"wang1995mcml"}


def test_unknown_key_is_refused():
    with pytest.raises(InputError, match="bibliography"):
        citations.cite("no_such_work_1900")


def test_every_key_cited_in_the_code_is_in_the_bibliography():
    from pathlib import Path

    source = Path(citations.__file__).parents[1]
    known = citations.bibliography()
    for path in source.rglob("*.py"):
        for call in re.findall(r"\bcite\(([^)]*)\)", path.read_text(encoding="utf-8")):
            for key in re.findall(r'"([a-z0-9_]+)"', call):
                assert key in known, f"{path.name}: {key}"


def test_hantash_in_vivo_and_ex_vivo_are_two_works():
    invivo, exvivo = citations.get("hantash2007_invivo"), citations.get("hantash2007_exvivo")
    assert "In vivo" in invivo.text and "39:96" in invivo.text
    assert "Ex vivo" in exvivo.text and "39:87" in exvivo.text


def test_the_fraxel_sr_abstract_is_bedi_2007_and_cited_by_its_key():
    """The abstract quoted for the Fraxel SR 40 mJ MTZ ("width approached 200 µm as assessed by H&E", 4.5-40 mJ) is
    Bedi et al. 2007 Lasers Surg Med 39:145 (V: the abstract under its title), not Laubach et al. 2006. Every test and
    doc that quotes it names the key ``bedi2007``, and none calls it a Laubach abstract."""
    from pathlib import Path

    bedi = citations.get("bedi2007")
    assert "Bedi VP" in bedi.text and "39:145" in bedi.text and "pulse energy variations" in bedi.text
    root = Path(__file__).parents[2]
    quoting = []
    for path in [*root.glob("docs/**/*.md"), *root.glob("tests/validation/*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "Laubach 2006 abstract" not in text, path
        if "approached 200" in text:
            quoting.append(path.name)
            assert "bedi2007" in text, f"{path.name} quotes Bedi 2007 without the key bedi2007"
    assert "test_tissue_response.py" in quoting


def test_a_cached_computation_cites_its_sources_on_every_call():
    calls = []

    @citations.cached(maxsize=4)
    def conduction(order: int) -> int:
        calls.append(order)
        citations.cite("pennes1948")
        return order

    assert conduction(1) == 1
    with citations.recording() as used:
        assert conduction(1) == 1
    assert calls == [1]  # the second call was a hit
    assert used == {"pennes1948"}
    conduction.cache_clear()
    assert conduction.cache_info().currsize == 0


def test_a_second_simulation_in_a_process_records_the_same_works(monkeypatch, tmp_path):
    """The skin's and the optics' computations are cached per person and wavelength (pipeline.stages) and the
    transport on disk: a second simulation of the same scenario in a process lists the works the first listed (it
    missed 25, the layers' and the chromophores' sources, and the Monte Carlo's when the transport came from the
    cache, before :func:`laserskin.core.citations.cached` and ``transport.driver.TRANSPORT_CITATIONS``)."""
    from laserskin.pipeline import stages
    from laserskin.pipeline.scenario import scenario_from_dict
    from laserskin.pipeline.simulation import Simulation

    monkeypatch.setenv("LASERSKIN_CACHE_DIR", str(tmp_path))  # the first transport runs, the second is read back
    stages.skin_model.cache_clear()
    stages.optical_stack.cache_clear()

    scenario = {
        "person": {"age": 52, "sex": "F", "fitzpatrick": 3, "site": "cheek"},
        "laser": {"device": "smoothbeam_1450"},
        "transport": {"photons": 2000},
    }
    first, second = (Simulation.from_scenario(scenario_from_dict(scenario)).run().citations for _ in range(2))
    assert {"sandbymoller2003", "wang1995mcml"} <= set(first)
    assert second == first
