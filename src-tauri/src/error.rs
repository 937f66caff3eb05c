//! Errors as the web view sees them: `{code, message}`, nothing more.

use backoffice_core::error::ErrorBody;
use backoffice_core::Error;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IpcError(ErrorBody);

impl From<Error> for IpcError {
    fn from(err: Error) -> Self {
        IpcError(ErrorBody::from(&err))
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
