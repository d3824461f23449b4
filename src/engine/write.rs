//! Writing files so that a crash never leaves a half-written one: the contents go to a
//! uniquely named temporary file in the target's folder (`tempfile`, so two writers never
//! collide), are synced to disk, then renamed over the target. Readers see the old file or the
//! new one, never a mix. The file gets the permissions a plain `File::create` would give
//! (0666 less the umask on Unix), not the owner-only mode of a temporary file, so results stay
//! readable by the group that shares them.

use std::io::Write as _;
use std::path::Path;

/// Writes `contents` to `path` atomically (temporary file beside it, sync, rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".glassray-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"old").expect("write");
        write_atomic(&path, b"new contents").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new contents");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
        // A folder that does not exist is an error, not a panic.
        assert!(write_atomic(&dir.path().join("no/such/x.txt"), b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_permissions_of_a_plain_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("plain.txt");
        std::fs::File::create(&plain).expect("create");
        let atomic = dir.path().join("atomic.txt");
        write_atomic(&atomic, b"x").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        // With the usual umask 022 that is 0644 (a temporary file alone would be 0600).
        assert_eq!(mode(&atomic), mode(&plain));
    }
}
