//! Fixed vocabularies for realistic-looking demo data.

/// (display form, ASCII form for email addresses)
pub(crate) const FIRST_NAMES: &[(&str, &str)] = &[
    ("Anna", "anna"),
    ("Ben", "ben"),
    ("Chloé", "chloe"),
    ("David", "david"),
    ("Elif", "elif"),
    ("Farah", "farah"),
    ("Giulia", "giulia"),
    ("Hiro", "hiro"),
    ("Ingrid", "ingrid"),
    ("José", "jose"),
    ("Kwame", "kwame"),
    ("Lena", "lena"),
    ("Mateo", "mateo"),
    ("Nadia", "nadia"),
    ("Oskar", "oskar"),
    ("Priya", "priya"),
    ("Quentin", "quentin"),
    ("Rosa", "rosa"),
    ("Søren", "soren"),
    ("Tomás", "tomas"),
    ("Uma", "uma"),
    ("Viktor", "viktor"),
    ("Wei", "wei"),
    ("Ximena", "ximena"),
    ("Yusuf", "yusuf"),
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("Amara", "amara"),
    ("Bruno", "bruno"),
    ("Carmen", "carmen"),
    ("Dmitri", "dmitri"),
    ("Emma", "emma"),
];

pub(crate) const LAST_NAMES: &[(&str, &str)] = &[
    ("Smith", "smith"),
    ("García", "garcia"),
    ("Müller", "mueller"),
    ("Rossi", "rossi"),
    ("Nguyen", "nguyen"),
    ("Kowalski", "kowalski"),
    ("Okafor", "okafor"),
    ("Tanaka", "tanaka"),
    ("Dubois", "dubois"),
    ("Johansson", "johansson"),
    ("Silva", "silva"),
    ("Patel", "patel"),
    ("O'Brien", "obrien"),
    ("Novák", "novak"),
    ("Haddad", "haddad"),
    ("Kim", "kim"),
    ("Andersen", "andersen"),
    ("Costa", "costa"),
    ("Yilmaz", "yilmaz"),
    ("Ivanova", "ivanova"),
    ("Lefebvre", "lefebvre"),
    ("Mendes", "mendes"),
    ("Chen", "chen"),
    ("Schmidt", "schmidt"),
];

pub(crate) const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "inbox.example.org",
    "post.example.net",
];

pub(crate) const PRODUCT_ADJECTIVES: &[&str] = &[
    "Classic",
    "Compact",
    "Deluxe",
    "Eco",
    "Essential",
    "Heavy-duty",
    "Mini",
    "Pro",
    "Smart",
    "Travel",
    "Ultra",
    "Vintage",
];

pub(crate) const PRODUCT_NOUNS: &[&str] = &[
    "Backpack",
    "Blender",
    "Desk Lamp",
    "Headphones",
    "Kettle",
    "Notebook",
    "Water Bottle",
    "Running Shoes",
    "Umbrella",
    "Keyboard",
    "Mug",
    "Tent",
    "Scarf",
    "Camera Strap",
    "Phone Case",
    "Yoga Mat",
];

pub(crate) const ROLES: &[(&str, &str)] = &[
    ("customer", "Can place orders"),
    ("vip", "Priority support and free shipping"),
    ("staff", "Works for the shop"),
];

pub(crate) const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile",
    "ShopApp/4.2 (Android 13)",
];

pub(crate) const NOTES: &[&str] = &[
    "Customer called about delivery date.",
    "Address confirmed by email.",
    "Gift wrap requested.",
    "Courier reported a delay at the depot.",
    "Customer asked to combine with a later order.",
];

pub(crate) const CURRENCIES: &[&str] = &["EUR", "USD", "GBP"];
