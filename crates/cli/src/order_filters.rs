//! The order filters the list and bulk changes share: the reference
//! schema's query, or a mapped back end's in its own status words.

use clap::Args;

use backoffice_core::money;
use backoffice_core::orders::mapped::MappedOrderQuery;
use backoffice_core::orders::{OrderQuery, OrderStatus};
use backoffice_core::time::{day_range, local_zone, zone};
use backoffice_core::Result;

#[derive(Args)]
pub struct Filters {
    /// Any of these statuses (repeat, or separate with commas): the back
    /// end's own words on a mapped back end.
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,
    /// Placed on or after this day (YYYY-MM-DD, in --tz).
    #[arg(long)]
    placed_from: Option<String>,
    /// Placed on or before this day (YYYY-MM-DD, in --tz).
    #[arg(long)]
    placed_to: Option<String>,
    /// The time zone the days are in (IANA name); this machine's by default.
    #[arg(long)]
    tz: Option<String>,
    /// The customer: user id or email address.
    #[arg(long)]
    customer: Option<String>,
    /// Totals of at least this amount (12.50).
    #[arg(long)]
    min_total: Option<String>,
    /// Totals of at most this amount.
    #[arg(long)]
    max_total: Option<String>,
    #[arg(long)]
    currency: Option<String>,
    /// Only orders with an open validation finding.
    #[arg(long)]
    with_findings: bool,
}

impl Filters {
    /// The filters a mapped back end does not serve in this version.
    pub fn not_for_mapped(&self) -> Vec<&'static str> {
        [
            (
                self.min_total.is_some() || self.max_total.is_some(),
                "--min-total/--max-total",
            ),
            (self.currency.is_some(), "--currency"),
            (self.with_findings, "--with-findings"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect()
    }

    /// The filters as a mapped back end takes them: its own status words.
    pub fn mapped_query(&self) -> Result<MappedOrderQuery> {
        let tz = match &self.tz {
            Some(name) => zone(name)?,
            None => local_zone(),
        };
        let (placed_from, placed_until) =
            day_range(self.placed_from.as_deref(), self.placed_to.as_deref(), tz)?;
        Ok(MappedOrderQuery {
            statuses: self.status.clone(),
            placed_from,
            placed_until,
            customer: self.customer.clone(),
            number: None,
        })
    }

    pub fn query(&self) -> Result<OrderQuery> {
        let tz = match &self.tz {
            Some(name) => zone(name)?,
            None => local_zone(),
        };
        let (placed_from, placed_until) =
            day_range(self.placed_from.as_deref(), self.placed_to.as_deref(), tz)?;
        // Amounts are read in the currency filtered on; two decimals otherwise.
        let cur = self.currency.as_deref().unwrap_or("EUR");
        let amount = |t: &Option<String>| t.as_deref().map(|t| money::parse(t, cur)).transpose();
        let statuses = self
            .status
            .iter()
            .map(|s| s.parse::<OrderStatus>())
            .collect::<Result<Vec<_>>>()?;
        Ok(OrderQuery {
            statuses,
            placed_from,
            placed_until,
            customer: self.customer.clone(),
            total_min: amount(&self.min_total)?,
            total_max: amount(&self.max_total)?,
            currency: self.currency.clone(),
            has_open_findings: self.with_findings,
            ..OrderQuery::default()
        })
    }
}
