"""repo_store's own pack writer and flat trees, checked against dulwich and the git binary."""

from __future__ import annotations

import io
import os
import random
import subprocess
import time
from pathlib import Path

import pytest
from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.pack import write_pack_index
from dulwich.repo import Repo

from repo_store import GitRepository, Repacker, RepositoryNotFound, Signature, WriterLocks, pack_count, repack
from repo_store.flat_tree import FILE_MODE, FlatTree, object_id
from repo_store.maintenance import QUIET_PUBLISHES, STALE_TEMP_SECONDS
from repo_store.pack_writer import RawObject, pack_index, write_pack

SIG = Signature("Tester", "tester@example.com")


def _dulwich_tree(files: dict[bytes, bytes]) -> Tree:
    tree = Tree()
    for name, blob in files.items():
        tree.add(name, FILE_MODE, ObjectID(blob.hex().encode()))
    return tree


def test_flat_tree_encodes_like_dulwich_through_adds_edits_and_deletes() -> None:
    rng = random.Random(7)
    files: dict[bytes, bytes] = {}
    tree = FlatTree.empty()
    for step in range(300):
        changes: dict[bytes, bytes | None] = {}
        for _ in range(rng.randint(1, 4)):
            name = f"p{rng.randint(0, 60)}.{rng.choice(['yaml', 'sql', 'json'])}".encode()
            if name in files and rng.random() < 0.3:
                changes[name] = None
            else:
                changes[name] = object_id(b"blob", b"%d" % step)
        for name, blob in changes.items():
            if blob is None:
                files.pop(name, None)
            else:
                files[name] = blob
        tree = tree.with_files(changes)
        expected = _dulwich_tree(files)
        assert tree.raw() == expected.as_raw_string()
        assert tree.id == expected.id.decode()
        assert len(tree) == len(files)


def test_flat_tree_keeps_folders_in_gits_order() -> None:
    tree = Tree()
    tree.add(b"a.b", FILE_MODE, Blob.from_string(b"1").id)
    tree.add(b"a", 0o040000, Tree().id)
    tree.add(b"a-c", FILE_MODE, Blob.from_string(b"2").id)
    flat = FlatTree.from_tree(tree)
    assert flat.raw() == tree.as_raw_string()
    changed = flat.with_files({b"a0": object_id(b"blob", b"3")})
    tree.add(b"a0", FILE_MODE, Blob.from_string(b"3").id)
    assert changed.raw() == tree.as_raw_string()


def test_written_pack_is_valid_for_git_and_dulwich(tmp_path: Path) -> None:
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    blobs = [b"first\n", b"second\n" * 1000, b""]
    objects = [RawObject(Blob.type_num, raw, object_id(b"blob", raw)) for raw in blobs]
    pack_dir = repo.path / "objects" / "pack"
    name = write_pack(pack_dir, objects)
    assert sorted(p.name for p in pack_dir.iterdir()) == [f"{name}.idx", f"{name}.pack"]
    subprocess.run(["git", "verify-pack", str(pack_dir / f"{name}.idx")], check=True)
    for obj in objects:
        out = subprocess.run(
            ["git", "--git-dir", str(repo.path), "cat-file", "blob", obj.binary_id.hex()],
            check=True,
            capture_output=True,
        ).stdout
        assert out == obj.raw
        assert repo.read_blob(obj.binary_id.hex()) == obj.raw
    # The same objects again make the same pack: it replaces itself, nothing is left over.
    assert write_pack(pack_dir, objects) == name
    assert len(list(pack_dir.iterdir())) == 2
    repo.close()


def test_commits_read_back_by_git_and_dulwich(tmp_path: Path) -> None:
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    with repo.writer() as writer:
        chain = writer.chain(None)
        first = chain.add(
            changes={"a.yaml": b"a: 1\n", "b.sql": b"create table t (x int);\n"},
            author=SIG,
            committer=SIG,
            message="one",
            timestamp=1,
        )
        second = chain.add(
            changes={"a.yaml": None, "c.json": b"{}"}, author=SIG, committer=SIG, message="two", timestamp=2
        )
        writer.publish(chain)
    assert repo.head() == second
    assert set(repo.tree_files(first)) == {"a.yaml", "b.sql"}
    assert set(repo.tree_files(second)) == {"b.sql", "c.json"}
    subprocess.run(["git", "--git-dir", str(repo.path), "fsck", "--strict"], check=True, capture_output=True)
    listing = subprocess.run(
        ["git", "--git-dir", str(repo.path), "ls-tree", "--name-only", "main"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert listing == ["b.sql", "c.json"]
    with Repo(str(repo.path)) as plain:
        commit = plain[second.encode()]
        assert isinstance(commit, Commit)
        assert commit.parents == [first.encode()]
    repo.close()


@pytest.mark.parametrize(
    ("stale", "fresh"),
    [
        ("pack/tmp_pack_crashed.pack", "pack/tmp_pack_writing.pack"),  # ours, or git's pack-objects
        ("tmp_pack_kMtuW1", "tmp_pack_x8Qe2a"),  # dulwich storing a thin push
        ("pack/tmpa1b2c3.pack", "pack/tmpd4e5f6.pack"),  # dulwich storing a push
        ("pack/pack-" + "1" * 40 + ".idx.lock", "pack/pack-" + "2" * 40 + ".idx.lock"),  # its index
        ("pack/.tmp-4242-pack-0123abcd.pack", "pack/.tmp-4243-pack-4567cdef.pack"),  # a killed repack
        ("pack/pack-" + "3" * 40 + ".pack", "pack/pack-" + "4" * 40 + ".pack"),  # no index written
    ],
)
def test_repack_removes_only_stale_leftovers(tmp_path: Path, stale: str, fresh: str) -> None:
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    old = time.time() - STALE_TEMP_SECONDS - 60
    for name in (stale, fresh):
        (repo.path / "objects" / name).write_bytes(b"PACK")
    os.utime(repo.path / "objects" / stale, (old, old))
    assert repack(repo.path)
    assert not (repo.path / "objects" / stale).exists()
    assert (repo.path / "objects" / fresh).exists()
    repo.close()


def test_a_full_repack_prunes_what_no_ref_reaches_once_it_is_old(tmp_path: Path) -> None:
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    with repo.writer() as writer:
        kept = writer.commit(
            parent=None, changes={"a.yaml": b"a: 1\n"}, author=SIG, committer=SIG, message="m", timestamp=1
        )
    pack_dir = repo.path / "objects" / "pack"
    old = time.time() - 15 * 86400  # older than git gc's two weeks
    ids = {}
    for label, mtime in (("old", old), ("young", time.time())):
        raw = f"unreachable, {label}\n".encode()
        name = write_pack(pack_dir, [RawObject(Blob.type_num, raw, object_id(b"blob", raw))])
        for suffix in (".pack", ".idx"):
            os.utime(pack_dir / f"{name}{suffix}", (mtime, mtime))
        ids[label] = object_id(b"blob", raw).hex()
    assert repack(repo.path, full=True)

    def present(oid: str) -> bool:
        return subprocess.run(["git", "-C", str(repo.path), "cat-file", "-e", oid]).returncode == 0

    assert not present(ids["old"])
    assert present(ids["young"])
    assert present(kept)
    repo.close()


def test_pack_index_matches_dulwichs_writer_with_large_offsets() -> None:
    rng = random.Random(3)
    for count in (0, 1, 3, 400):
        entries = {rng.randbytes(20): (rng.randrange(2**33), rng.randrange(2**32)) for _ in range(count)}
        checksum = rng.randbytes(20)
        expected = io.BytesIO()
        write_pack_index(expected, sorted((s, o, c) for s, (o, c) in entries.items()), checksum)
        assert pack_index(entries, checksum) == expected.getvalue()


def test_the_index_is_renamed_in_before_its_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # git 2.39's `repack -A -d` deletes every *.pack it lists, indexed or not: a pack visible
    # before its index could be deleted with its objects while the writer moves the ref to them.
    renamed: list[str] = []
    real_replace = os.replace

    def recording_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        renamed.append(Path(dst).suffix)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    write_pack(pack_dir, [RawObject(Blob.type_num, b"x", object_id(b"blob", b"x"))])
    assert renamed == [".idx", ".pack"]


def test_a_failed_write_leaves_no_file_and_no_descriptor(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    open_before = len(os.listdir("/proc/self/fd"))
    bad = RawObject(Blob.type_num, "not bytes", b"\0" * 20)  # type: ignore[arg-type]
    for _ in range(5):
        with pytest.raises(TypeError):
            write_pack(pack_dir, [bad])
    assert len(os.listdir("/proc/self/fd")) == open_before
    assert list(pack_dir.iterdir()) == []


def test_a_folder_replaced_by_a_file_moves_to_the_files_place() -> None:
    tree = Tree()
    tree.add(b"a", 0o040000, Tree().id)
    tree.add(b"a.b", FILE_MODE, Blob.from_string(b"1").id)
    blob = Blob.from_string(b"2")
    changed = FlatTree.from_tree(tree).with_files({b"a": bytes.fromhex(blob.id.decode())})
    expected = Tree()
    expected.add(b"a.b", FILE_MODE, Blob.from_string(b"1").id)
    expected.add(b"a", FILE_MODE, blob.id)
    assert changed.raw() == expected.as_raw_string()


def test_repack_removes_stale_orphan_indexes_only(tmp_path: Path) -> None:
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    pack_dir = repo.path / "objects" / "pack"
    raw = b"kept\n"
    name = write_pack(pack_dir, [RawObject(Blob.type_num, raw, object_id(b"blob", raw))])
    old = time.time() - STALE_TEMP_SECONDS - 60
    orphan, young = pack_dir / f"pack-{'1' * 40}.idx", pack_dir / f"pack-{'2' * 40}.idx"
    for path in (orphan, young):
        path.write_bytes(b"index of a pack a crash never renamed in")
    os.utime(orphan, (old, old))
    os.utime(pack_dir / f"{name}.idx", (old, old))
    assert repack(repo.path)
    assert not orphan.exists()
    assert young.exists()
    assert repo.read_blob(object_id(b"blob", raw).hex()) == raw
    repo.close()


def test_a_writer_on_a_moved_repository_says_it_is_not_found(tmp_path: Path) -> None:
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    repo.path.rename(tmp_path / "elsewhere.git")
    with pytest.raises(RepositoryNotFound), repo.writer():
        pass
    repo.close()


def test_pack_count_counts_finished_packs_only(tmp_path: Path) -> None:
    assert pack_count(tmp_path / "nowhere.git") == 0  # no repository (yet): nothing to repack
    pack_dir = tmp_path / "r.git" / "objects" / "pack"
    pack_dir.mkdir(parents=True)
    for name in ("pack-a.pack", "pack-a.idx", "pack-b.pack", "tmp_pack_x.pack", "pack-c.idx", "pack-d.keep"):
        (pack_dir / name).write_bytes(b"")
    assert pack_count(tmp_path / "r.git") == 2


def test_object_sizes_across_every_header_length_read_back(tmp_path: Path) -> None:
    """The type-and-size prefix grows a byte at 16, 2,048, 262,144 ... bytes: each edge reads back."""
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    sizes = [0, 1, 15, 16, 17, 2047, 2048, 2049, 262_143, 262_144, 1 << 21]
    rng = random.Random(7)
    blobs = [rng.randbytes(size) for size in sizes]
    objects = [RawObject(Blob.type_num, raw, object_id(b"blob", raw)) for raw in blobs]
    pack_dir = repo.path / "objects" / "pack"
    name = write_pack(pack_dir, objects)
    index = str(pack_dir / f"{name}.idx")
    verify = subprocess.run(["git", "verify-pack", "-v", index], capture_output=True, text=True, check=True)
    rows = [line.split() for line in verify.stdout.splitlines() if " blob " in line]
    listed = {row[0]: int(row[2]) for row in rows}
    assert listed == {obj.binary_id.hex(): len(obj.raw) for obj in objects}
    for obj in objects:
        assert repo.read_blob(obj.binary_id.hex()) == obj.raw
    repo.close()


def test_packs_added_by_others_are_repacked_within_a_few_publishes(tmp_path: Path) -> None:
    """The repacker counts packs only every few publishes; packs from pushes or other processes
    (which never tell it) still get rolled up within QUIET_PUBLISHES of its own publishes."""
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks())
    pack_dir = repo.path / "objects" / "pack"
    repacker = Repacker(WriterLocks(), threshold=8)

    def publish(n: int) -> None:
        raw = f"blob {n}\n".encode()
        write_pack(pack_dir, [RawObject(Blob.type_num, raw, object_id(b"blob", raw))])

    publish(0)
    repacker.after_commit(repo.path)  # 1 pack: the next publishes need not count
    for n in range(1, 21):  # a push, or another server process, adds 20 packs
        publish(n)
    for n in range(21, 21 + QUIET_PUBLISHES + 1):
        publish(n)
        repacker.after_commit(repo.path)
    deadline = time.monotonic() + 30
    while repacker.repacks == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert repacker.repacks == 1
    assert pack_count(repo.path) < 8
    repo.close()


def test_a_ref_that_moved_is_signalled_even_if_its_fsync_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signals: list[None] = []
    repo = GitRepository.create(tmp_path / "g.git", WriterLocks(on_commit=lambda: signals.append(None)))

    def failing_fsync(path: Path) -> None:
        raise OSError(5, "Input/output error", str(path))

    monkeypatch.setattr("repo_store.repository.fsync_path", failing_fsync)
    with repo.writer() as writer, pytest.raises(OSError, match="Input/output error"):
        writer.commit(
            parent=None, changes={"a.yaml": b"a: 1\n"}, author=SIG, committer=SIG, message="m", timestamp=1
        )
    assert repo.head() is not None  # the ref moved
    assert len(signals) == 1  # and readers were told
    repo.close()
