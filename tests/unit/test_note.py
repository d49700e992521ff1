"""Signed notes and checkpoints against the reference examples of Go's
golang.org/x/mod/sumdb/note and of the C2SP signed-note specification."""

from __future__ import annotations

import base64

import pytest

from shared.tlog.note import (
    Checkpoint,
    Ed25519Signer,
    NoteError,
    Verifier,
    load_verifier,
    open_checkpoint,
    open_note,
    sign_note,
    verifier_of,
    write_keypair,
)

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
SPEC_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n"
             "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")


def test_keys_and_signature_match_the_go_reference_byte_for_byte():
    signer = Ed25519Signer.parse(GO_SIGNER)
    assert signer.text() == GO_SIGNER
    assert verifier_of(signer).text() == GO_VERIFIER
    assert sign_note(GO_TEXT, signer) == GO_NOTE  # Ed25519 is deterministic
    assert open_note(GO_NOTE, Verifier.parse(GO_VERIFIER)) == GO_TEXT


def test_the_specification_example_opens():
    assert open_note(SPEC_NOTE, Verifier.parse(SPEC_VERIFIER)) == "This is an example message.\n"


def test_an_altered_note_or_a_mangled_key_is_refused():
    verifier = Verifier.parse(GO_VERIFIER)
    with pytest.raises(NoteError, match="altered after signing"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), verifier)
    for bad in (GO_VERIFIER[:-2], GO_VERIFIER.replace("c74f20a3", "c74f20a4"), "PeterNeumann+c74f20a3",
                "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"):
        with pytest.raises(NoteError):
            Verifier.parse(bad)
    with pytest.raises(NoteError):
        Ed25519Signer.parse(GO_SIGNER.replace("c74f20a3", "00000000"))


def test_a_note_signed_by_another_key_names_that_key():
    other = Ed25519Signer.generate("PeterNeumann")  # same name, different key: a substitution
    note = sign_note(GO_TEXT, other)
    with pytest.raises(NoteError, match=r"not signed by the trusted key PeterNeumann\+c74f20a3 \(signed by PeterNeumann\+"):
        open_note(note, Verifier.parse(GO_VERIFIER))
    both = note.rstrip("\n") + "\n" + GO_NOTE.rsplit("\n\n", 1)[1]  # a cosignature by an unknown key is ignored
    assert open_note(both, Verifier.parse(GO_VERIFIER)) == GO_TEXT


def test_checkpoints_round_trip_and_must_be_for_the_keys_log():
    signer = Ed25519Signer.generate("example.org/log")
    checkpoint = Checkpoint("example.org/log", 20852163, bytes(range(32)))
    note = checkpoint.sign(signer)
    assert note.startswith("example.org/log\n20852163\n" + base64.b64encode(bytes(range(32))).decode() + "\n\n\u2014 example.org/log ")
    assert open_checkpoint(note, verifier_of(signer)) == checkpoint == Checkpoint.of_note(note)
    with pytest.raises(NoteError, match="is for log 'example.org/other'"):
        open_checkpoint(Checkpoint("example.org/other", 1, bytes(32)).sign(signer), verifier_of(signer))
    for text in ("example.org/log\n012\n" + "A" * 43 + "=\n", "example.org/log\n12\n", "example.org/log\n-1\n" + "A" * 43 + "=\n"):
        with pytest.raises(NoteError):
            Checkpoint.parse(text)


def test_keypair_files(tmp_path):
    signer = Ed25519Signer.generate("example.org/log")
    public = write_keypair(signer, tmp_path / "log.key")
    assert (tmp_path / "log.key").stat().st_mode & 0o077 == 0
    assert load_verifier(str(public)) == verifier_of(signer) == load_verifier(public.read_text())
    with pytest.raises(FileExistsError):
        write_keypair(Ed25519Signer.generate("example.org/log"), tmp_path / "log.key")
