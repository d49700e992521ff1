"""`verdict-admin bundle`: build, sign and verify OPA bundles of the policies."""

from __future__ import annotations

import argparse
from pathlib import Path

from server.admin import fail
from shared.terminal import print_json

DEFAULT_KEY_ID = "verdict"


def register(commands: argparse._SubParsersAction) -> None:
    bundle = commands.add_parser("bundle", help="build, sign and verify OPA bundles of the policies",
                                 description="OPA bundles of the policies, for the bundle service and OPA sidecars.")
    sub = bundle.add_subparsers(dest="bundle_command", metavar="SUBCOMMAND")
    sub.required = True
    build = sub.add_parser(
        "build",
        help="write the policies and data as an OPA bundle (bundle.tar.gz), optionally signed",
        description=(
            "Write the policies and data of a bundle directory, without Rego tests and decision tables, as an OPA "
            "bundle with its revision (the content hash the server archives and records) in its .manifest: "
            "`opa run --server bundle.tar.gz` serves exactly that revision. With --signing-key the bundle is signed "
            "as `opa build --signing-key` signs it (.signatures.json), so OPA with the public key verifies it."
        ),
    )
    add_build_arguments(build)
    verify = sub.add_parser(
        "verify",
        help="check a bundle's signature and revision as OPA and the bundle service do",
        description=(
            "Verify a bundle file: its .signatures.json with the public key (the JWT, then every file's hash, as OPA "
            "does), and that its .manifest revision is the content hash of its policies and data (what the bundle "
            "service requires before it serves it). Exit code 1 if either fails."
        ),
    )
    verify.add_argument("bundle_file", type=Path, metavar="BUNDLE", help="the bundle (.tar.gz)")
    verify.add_argument("--verification-key", type=Path, metavar="PEM",
                        help="public key (PEM) or, for HS*, a file with the secret; without it the bundle must be unsigned")
    verify.add_argument("--verification-key-id", default="default", help="the key's ID; it overrides the JWT's kid as in OPA")
    verify.add_argument("--signing-alg", default="RS256", help="the key's algorithm (default RS256)")
    verify.add_argument("--scope", default="", help="the scope the signature must carry")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(handler=run_verify)


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bundle", type=Path, default=Path("rego"), help="bundle directory (default: rego)")
    parser.add_argument("-o", "--output", type=Path, default=Path("bundle.tar.gz"), help="where to write it (default: bundle.tar.gz)")
    parser.add_argument("--signing-key", metavar="PEM",
                        help="sign with this private key (PEM file; for HS* algorithms the secret), as opa build --signing-key")
    parser.add_argument("--signing-alg", default="RS256", help="signing algorithm (default RS256, as OPA)")
    parser.add_argument("--signing-key-id", default=DEFAULT_KEY_ID,
                        help=f"key ID written in the JWT (kid; default {DEFAULT_KEY_ID}); OPA's keys.<id> or --verification-key-id picks the key")
    parser.add_argument("--scope", help="scope claim for the signature (OPA checks it against its configured scope)")
    parser.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace) -> int:
    from server.engine.bundle import Bundle, BundleError, read_tarball
    from server.engine.bundle_signing import (VerificationConfig, VerificationKey, public_key_of, read_signing_key,
                                              sign, verify)

    try:
        bundle = Bundle.from_directory(args.bundle)
        signatures = None
        if args.signing_key:
            key = read_signing_key(args.signing_key)
            signatures = sign(bundle.entries(), key, args.signing_alg, args.signing_key_id, args.scope)
        data = bundle.tarball(signatures)
        if signatures is not None:  # check what was written the way OPA will
            check = VerificationKey(public_key_of(key, args.signing_alg), args.signing_alg)
            verify(read_tarball(data), VerificationConfig({args.signing_key_id: check}, args.signing_key_id, args.scope or ""))
        partial = args.output.with_name(f".{args.output.name}.partial")
        partial.write_bytes(data)
        partial.replace(args.output)  # at once: a bundle service reading the directory never sees half a file
    except (BundleError, OSError) as exc:
        return fail(str(exc))
    signed = f", signed ({args.signing_alg}, key ID {args.signing_key_id!r})" if signatures else ", unsigned"
    print(f"wrote {args.output}: {len(bundle.files)} files, revision {bundle.revision}{signed}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from server.bundles.served import checked_bundle
    from server.engine.bundle import BundleError
    from server.engine.bundle_signing import VerificationConfig

    try:
        data = args.bundle_file.read_bytes()
        config = (VerificationConfig.from_key_file(args.verification_key, args.verification_key_id, args.signing_alg, args.scope)
                  if args.verification_key else None)
    except OSError as exc:
        return fail(str(exc))
    try:
        bundle = checked_bundle(data, config)
    except BundleError as exc:
        if args.json:
            print_json({"ok": False, "error": str(exc)})
        else:
            print(f"FAILED: {args.bundle_file}: {exc}")
        return 1
    if args.json:
        print_json({"ok": True, "revision": bundle.revision, "files": sorted(bundle.files), "signed": config is not None})
    else:
        how = "signature and every file's hash verified" if config else "unsigned"
        print(f"OK: {args.bundle_file}: revision {bundle.revision}, {len(bundle.files)} files, {how}")
    return 0
