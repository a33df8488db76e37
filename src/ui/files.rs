//! Reading dropped or opened files as their exact bytes (`Blob.arrayBuffer()`), never as text:
//! a BOM, CRLF line endings or invalid UTF-8 must reach the hasher unchanged.

use std::fmt;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, FileList};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReadError {
    pub name: String,
}

impl fmt::Display for FileReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} could not be read (was it moved or deleted?)", self.name)
    }
}

/// The files of a `FileList` (from a file input or a drop), in order.
pub fn list(files: Option<FileList>) -> Vec<File> {
    files
        .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default()
}

/// The exact bytes of `file`.
pub async fn read_bytes(file: &File) -> Result<Vec<u8>, FileReadError> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| FileReadError { name: file.name() })?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
