//! A temporary file for a workspace that arrives as a stream (an upload, standard input): the
//! import reads its source twice, so the stream is written to disk first instead of being held
//! in memory. The file is deleted when the spool is dropped.

use std::path::{Path, PathBuf};

use futures::{Stream, StreamExt as _};
use tokio::io::{AsyncRead, AsyncWriteExt as _};

/// A temporary file, deleted on drop.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
}

impl Spool {
    /// A new, empty file in the system's temporary directory, readable only by this user.
    async fn create() -> std::io::Result<(Self, tokio::fs::File)> {
        let name = format!("touchpoint-import-{}.json", app::auth::service::new_token());
        let path = std::env::temp_dir().join(name);
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await?;
        Ok((Self { path }, file))
    }

    /// Writes everything `reader` gives to a new spool.
    pub async fn from_reader(mut reader: impl AsyncRead + Unpin) -> std::io::Result<Self> {
        let (spool, mut file) = Self::create().await?;
        tokio::io::copy(&mut reader, &mut file).await?;
        file.flush().await?;
        Ok(spool)
    }

    /// Writes every chunk of `stream` to a new spool; the stream's error is returned as it is.
    pub async fn from_stream<B, E>(
        mut stream: impl Stream<Item = Result<B, E>> + Unpin,
    ) -> Result<Self, SpoolError<E>>
    where
        B: AsRef<[u8]>,
    {
        let (spool, mut file) = Self::create().await.map_err(SpoolError::Io)?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(SpoolError::Stream)?;
            file.write_all(chunk.as_ref())
                .await
                .map_err(SpoolError::Io)?;
        }
        file.flush().await.map_err(SpoolError::Io)?;
        Ok(spool)
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::warn!(error = %e, path = %self.path.display(), "could not delete a temporary import file");
        }
    }
}

/// Why spooling a stream failed.
#[derive(Debug)]
pub enum SpoolError<E> {
    /// Writing the file failed.
    Io(std::io::Error),
    /// The stream failed (a body over its limit, or cut off).
    Stream(E),
}
