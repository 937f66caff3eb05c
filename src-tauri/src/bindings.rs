//! The TypeScript types of everything that crosses IPC, generated from the
//! Rust types into `ui/src/bindings/`. The test fails when a committed
//! file differs from what the Rust types say; `make bindings` rewrites
//! them.

use ts_rs::TS;

use crate::commands::attach::{AttachRequest, ConceptView, DetectView};
use crate::commands::export::{ExportDone, ExportRequest};
use crate::commands::mapping_edit::TableColumns;
use crate::commands::schema::{IndexView, SchemaView};
use crate::commands::session::{AppInfo, ConnectionView, OperatorView, ProfileDraft, ProfileView};
use crate::mail::MailStatus;
use backoffice_core::audit::{AuditEntry, AuditFilter, BadEntry, VerifyReport};
use backoffice_core::dashboard::{Dashboard, StatusCount};
use backoffice_core::db::Backend;
use backoffice_core::error::{ErrorBody, ErrorCode};
use backoffice_core::mapping::check::Problem;
use backoffice_core::mapping::detect::Capability;
use backoffice_core::mapping::draft::{Draft, DraftConcept, DraftStatus};
use backoffice_core::notify::{
    self, AlreadySent, Audience, Channel, FreeForm, OutboxFilter, OutboxMessage, OutboxStatus,
    Rendered, Sent, Template, TemplateInfo, Triggered,
};
use backoffice_core::operators::Permission;
use backoffice_core::orders::mapped::story::{MappedItem, MappedStory};
use backoffice_core::orders::mapped::{
    MappedChange, MappedFee, MappedOrder, MappedOrderQuery, MappedPreview, MappedRefund,
    RefundPreview,
};
use backoffice_core::orders::{
    BulkChange, BulkOutcome, BulkPreview, Customer, Item, Note, Order, OrderChange, OrderQuery,
    OrderSort, OrderStatus, OrderStory, Preview, Refund, Refusal, Selection, StockChange,
    TimelineEntry, Totals,
};
use backoffice_core::page::{Page, PageRequest, Total};
use backoffice_core::progress::Progress;
use backoffice_core::stats::TableCount;
use backoffice_core::users::mapped::{MappedCard, MappedSignIn, MappedUser, Offer};
use backoffice_core::users::{
    LoginEvent, OrderBrief, OrderSummary, OutstandingToken, TroubleCard, User, UserAction,
    UserQuery, UserSort, UserStatus,
};
use backoffice_core::validation::{
    self, Entity, EntityFix, FieldChange, Finding, FindingFilter, FixPreview, FixReport, RowChange,
    RuleCount, RuleInfo, RuleResult, RunReport, Severity, Skipped,
};

/// Each binding's file name and its generated text.
pub fn all() -> Vec<(String, String)> {
    fn one<T: TS + 'static>() -> (String, String) {
        let text =
            T::export_to_string().unwrap_or_else(|e| panic!("cannot generate {}: {e}", T::name()));
        (format!("{}.ts", T::ident()), text)
    }
    vec![
        one::<AppInfo>(),
        one::<AuditEntry>(),
        one::<LoginEvent>(),
        one::<OrderBrief>(),
        one::<OrderSummary>(),
        one::<OutstandingToken>(),
        one::<Page<User>>(),
        one::<PageRequest>(),
        one::<Total>(),
        one::<TroubleCard>(),
        one::<User>(),
        one::<MappedUser>(),
        one::<MappedCard>(),
        one::<MappedSignIn>(),
        one::<Offer>(),
        one::<MappedOrder>(),
        one::<MappedOrderQuery>(),
        one::<MappedStory>(),
        one::<MappedItem>(),
        one::<MappedFee>(),
        one::<MappedRefund>(),
        one::<MappedChange>(),
        one::<MappedPreview>(),
        one::<RefundPreview>(),
        one::<UserAction>(),
        one::<UserQuery>(),
        one::<UserSort>(),
        one::<UserStatus>(),
        one::<Backend>(),
        one::<ConnectionView>(),
        one::<DetectView>(),
        one::<ConceptView>(),
        one::<IndexView>(),
        one::<SchemaView>(),
        one::<TableColumns>(),
        one::<Draft>(),
        one::<DraftConcept>(),
        one::<DraftStatus>(),
        one::<Problem>(),
        one::<AttachRequest>(),
        one::<Capability>(),
        one::<ErrorBody>(),
        one::<ErrorCode>(),
        one::<OperatorView>(),
        one::<ProfileView>(),
        one::<TableCount>(),
        one::<AuditFilter>(),
        one::<BadEntry>(),
        one::<VerifyReport>(),
        one::<Dashboard>(),
        one::<StatusCount>(),
        one::<AlreadySent>(),
        one::<OutboxFilter>(),
        one::<OutboxMessage>(),
        one::<Channel>(),
        one::<Sent>(),
        one::<OutboxStatus>(),
        one::<Rendered>(),
        one::<Template>(),
        one::<Triggered>(),
        one::<TemplateInfo>(),
        one::<MailStatus>(),
        one::<Audience>(),
        one::<FreeForm>(),
        one::<notify::BulkPreview>(),
        one::<notify::BulkReport>(),
        one::<BulkChange>(),
        one::<BulkOutcome>(),
        one::<BulkPreview>(),
        one::<Refusal>(),
        one::<Selection>(),
        one::<Customer>(),
        one::<Item>(),
        one::<Note>(),
        one::<Order>(),
        one::<OrderChange>(),
        one::<OrderQuery>(),
        one::<OrderSort>(),
        one::<OrderStatus>(),
        one::<OrderStory>(),
        one::<Preview>(),
        one::<Refund>(),
        one::<StockChange>(),
        one::<TimelineEntry>(),
        one::<Totals>(),
        one::<Progress>(),
        one::<Entity>(),
        one::<EntityFix>(),
        one::<FieldChange>(),
        one::<FixPreview>(),
        one::<FixReport>(),
        one::<RowChange>(),
        one::<Skipped>(),
        one::<Finding>(),
        one::<FindingFilter>(),
        one::<RuleCount>(),
        one::<RuleInfo>(),
        one::<RuleResult>(),
        one::<RunReport>(),
        one::<Severity>(),
        one::<ProfileDraft>(),
        one::<ExportDone>(),
        one::<ExportRequest>(),
        one::<Permission>(),
        one::<notify::Attempt>(),
        one::<notify::OutboxView>(),
        one::<validation::LastRun>(),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    const WRITE: &str = "BACKOFFICE_WRITE_BINDINGS";

    #[test]
    fn committed_bindings_match_the_rust_types() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings");
        let write = std::env::var_os(WRITE).is_some();
        let mut stale = Vec::new();
        for (name, text) in super::all() {
            let path = dir.join(&name);
            if write {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "ui/src/bindings is out of date for {stale:?}: run `make bindings` and commit the result"
        );
        let known: Vec<String> = super::all().into_iter().map(|(n, _)| n).collect();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                known.contains(&name),
                "ui/src/bindings/{name} has no Rust type: remove it"
            );
        }
    }
}
