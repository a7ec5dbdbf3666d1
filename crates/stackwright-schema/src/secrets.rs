//! Which names say that a value is a secret, and how a secret is described without its characters.
//!
//! Synthesis refuses literal secrets, validation errors describe them, and `plan` hides them; all three
//! ask the rules here, so that what one treats as a secret the others do too.
//!
//! A name is cut into words at every character that is not a letter or digit (`API_TOKEN`, `db-password`,
//! `/app/db/password`) and at case changes (`apiKey`, `MasterUserPassword`, `APIKey`, `S3Key`), and compared
//! without regard to case. Where it stands decides the word list:
//!
//! - **an entry name** ([`NameKind::Entry`]) is chosen by the user: a key of a map (environment
//!   variables, `Variables`, string maps), the `Name` of a `{Name, Value}` pair (ECS container
//!   environment), a parameter's id, the last `/` segment of an SSM parameter's name. It names a secret
//!   when a word is `password`, `passwd`, `passphrase`, `secret`, `token`, `credential` (each also plural or
//!   at the end of a fused word: `dbpassword`, `apitoken`), `key` (unless after `public`, `s3`, `object`,
//!   `partition`, `sort`, `hash`, `range`, `primary`, `foreign`, `cache`, `kms` and the like, which name
//!   non-secret keys), `private` or `auth`: `API_TOKEN`, `apiKey`, `key`, `PRIVATE_KEY`, `AUTH_HEADER`;
//! - **a property name** ([`NameKind::Property`]) is the schema's (`MasterUserPassword`, `S3Key`,
//!   `PrivateIpAddress`, `AuthType`, a tag's `Key`). It names a secret on the same words except `key`,
//!   `private` and `auth` alone, which name many plain properties; `key` counts after `api`, `private`,
//!   `preshared`, `signing` or `host` (`ApiKeyValue`, `private_key`, `HostKey`).
//!
//! Either way a name that ends in a word saying it refers to a secret or configures one is not a secret:
//! `SecretArn`, `secret_name`, `KmsKeyId`, `KeyName`, `API_KEY_ID`, `PasswordLength`, `TOKEN_URL`,
//! `AUTH_MODE`, `SecretStringTemplate`; nor is an idempotency token (`ClientToken`).
//!
//! Whether a key is an entry or a property is known where the schema says so (a map's
//! `patternProperties`, a Terraform `map` attribute); elsewhere the spelling decides ([`Style`]): a key
//! that is not spelled like a property name of its document (CloudFormation `PascalCase`, Terraform and
//! Stackwright's own `snake_case`) is an entry.

/// Where a name stands: see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// A name the schema defines (`MasterUserPassword`, `s3_key`).
    Property,
    /// A name the user chose (an environment variable, a map key, a parameter id).
    Entry,
}

/// How a document spells its property names, which tells them from the user's entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// CloudFormation: `PascalCase` letters and digits, with at least one lowercase letter
    /// (`MasterUserPassword`, `S3Key`, `DBName`).
    Pascal,
    /// Terraform and Stackwright's neutral properties: lowercase `snake_case` (`master_password`).
    Snake,
}

impl Style {
    /// Whether `key` is spelled like a property name of this style (else it is an entry name).
    pub fn is_property_name(self, key: &str) -> bool {
        let mut chars = key.chars();
        match self {
            Style::Pascal => {
                chars.next().is_some_and(|c| c.is_ascii_uppercase())
                    && key.chars().all(|c| c.is_ascii_alphanumeric())
                    && key.chars().any(|c| c.is_ascii_lowercase())
            }
            Style::Snake => {
                chars.next().is_some_and(|c| c.is_ascii_lowercase())
                    && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            }
        }
    }

    /// The kind of `key` as its spelling says.
    pub fn kind_of(self, key: &str) -> NameKind {
        if self.is_property_name(key) {
            NameKind::Property
        } else {
            NameKind::Entry
        }
    }
}

/// Words that say a value is secret, as a word, plural or at the end of a fused word.
const STEMS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
];

/// Words before `key` that make it a secret key in a property name (`ApiKeyValue`, `private_key`).
const SECRET_KEYS: &[&str] = &["api", "private", "preshared", "signing", "host"];

/// Words before `key` that name a key that is not a secret (an S3 object key, a table's partition key, a
/// KMS key's id), in an entry name.
const PLAIN_KEYS: &[&str] = &[
    "public",
    "s3",
    "object",
    "partition",
    "sort",
    "hash",
    "range",
    "primary",
    "foreign",
    "cache",
    "idempotency",
    "dedup",
    "deduplication",
    "routing",
    "row",
    "attribute",
    "lookup",
    "tag",
    "kms",
    "cmk",
];

/// Last words of names that refer to a secret or configure one rather than hold it.
const REFERENCES: &[&str] = &[
    "arn",
    "arns",
    "id",
    "ids",
    "name",
    "names",
    "alias",
    "path",
    "paths",
    "url",
    "urls",
    "uri",
    "endpoint",
    "file",
    "location",
    "region",
    "ref",
    "reference",
    "version",
    "versions",
    "length",
    "type",
    "types",
    "policy",
    "policies",
    "rotation",
    "mode",
    "method",
    "provider",
    "enabled",
    "disabled",
    "required",
    "ttl",
    "expiry",
    "expiration",
    "lifetime",
    "duration",
    "timeout",
    "validity",
    "units",
    "count",
    "size",
    "spec",
    "usage",
    "algorithm",
    "format",
    "schema",
    "pair",
    "template",
    "field",
    "param",
    "parameter",
    "prefix",
    "specs",
    "role",
    "roles",
    "seconds",
    "minutes",
    "hours",
    "days",
    "limit",
    "threshold",
    "domain",
    "domains",
    "host",
    "hosts",
    "hostname",
    "port",
    "subnet",
    "subnets",
    "issuer",
    "audience",
    "audiences",
    "scope",
    "scopes",
];

/// Last two words of names that refer to a part of a secret: `ApiKeySecretJsonKey`, `SecretStringKey`.
const REFERENCE_PAIRS: &[(&str, &str)] = &[("json", "key"), ("string", "key")];

/// Words before `token` that make it a setting or an identifier rather than a secret: an idempotency
/// token (`ClientToken`), the IMDS setting `HttpTokens`, a model's `MaxTokens`, a custom resource's
/// `ServiceToken` (a function's ARN), a paging token, a Step Functions `TaskToken` (a callback handle,
/// usually the JSONPath that reads it).
const PLAIN_TOKENS: &[&str] = &[
    "task",
    "client",
    "idempotency",
    "http",
    "max",
    "overlap",
    "service",
    "version",
    "billing",
    "next",
    "continuation",
    "pagination",
];

/// The words of a name: split at every character that is not a letter or digit and at case changes
/// (`APIKey` -> `api`, `key`; `S3Key` -> `s3`, `key`), lowercase.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (before, c) = (chars[i - 1], chars[i]);
            let lower_next = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = c.is_uppercase()
                && (before.is_lowercase()
                    || before.is_numeric()
                    || (before.is_uppercase() && lower_next));
            if boundary {
                words.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        if start < chars.len() {
            words.push(chars[start..].iter().collect::<String>().to_lowercase());
        }
    }
    words
}

fn is_stem(word: &str) -> bool {
    STEMS
        .iter()
        .any(|stem| word == *stem || word.strip_suffix('s') == Some(stem) || word.ends_with(stem))
}

/// Whether `bytes` hold, in any case, one of the words a secret's name needs (`pass`, `pwd`, `secret`,
/// `token`, `credential`, `key`, `private`, `auth`): one pass that compares only where a word's first
/// letter stands (it was a scan per word, a tenth of a synthesis's instructions).
fn holds_candidate(bytes: &[u8]) -> bool {
    let starts = |at: usize, word: &[u8]| {
        bytes
            .get(at..at + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    (0..bytes.len()).any(|at| match bytes[at].to_ascii_lowercase() {
        b'p' => starts(at, b"pass") || starts(at, b"pwd") || starts(at, b"private"),
        b's' => starts(at, b"secret"),
        b't' => starts(at, b"token"),
        b'c' => starts(at, b"credential"),
        b'k' => starts(at, b"key"),
        b'a' => starts(at, b"auth"),
        _ => false,
    })
}

/// Whether `name`, standing as `kind`, says its value is a secret (see the module documentation).
pub fn names_secret(name: &str, kind: NameKind) -> bool {
    // Most names hold none of the words: answered without splitting (every key of every resource of a
    // synthesis is asked).
    if !holds_candidate(name.as_bytes()) {
        return false;
    }
    let words = words(name);
    let mut secret_at = None;
    for (i, word) in words.iter().enumerate() {
        let before = i.checked_sub(1).map(|b| words[b].as_str());
        let word = word.as_str();
        let secret = if matches!(word, "token" | "tokens") {
            // A property's plural `Tokens` counts tokens (`MaxTokens`, `HttpTokens`).
            let plain = before.is_some_and(|b| PLAIN_TOKENS.contains(&b));
            let counted = kind == NameKind::Property && word == "tokens";
            !(plain || counted)
        } else if word == "clienttoken" {
            false
        } else if is_stem(word) {
            true
        } else if matches!(word, "key" | "keys") {
            match kind {
                NameKind::Property => before.is_some_and(|b| SECRET_KEYS.contains(&b)),
                NameKind::Entry => !before.is_some_and(|b| PLAIN_KEYS.contains(&b)),
            }
        } else if [
            "apikey",
            "privatekey",
            "presharedkey",
            "signingkey",
            "hostkey",
        ]
        .iter()
        .any(|k| word.ends_with(k))
        {
            true
        } else {
            // `pass` and `pwd` are user spellings (`DB_PASS`, `SMTP_PWD`); no schema names a property so.
            kind == NameKind::Entry && matches!(word, "private" | "auth" | "pass" | "pwd")
        };
        if secret {
            secret_at = Some(i);
        }
    }
    match secret_at {
        None => false,
        Some(i) => {
            let last = words.len() - 1;
            let pair = last
                .checked_sub(1)
                .map(|b| (words[b].as_str(), words[last].as_str()));
            i == last
                || !(REFERENCES.contains(&words[last].as_str())
                    || pair.is_some_and(|p| REFERENCE_PAIRS.contains(&p)))
        }
    }
}

/// Whether an SSM parameter's name (or another `/`-separated path) names a secret: its last segment,
/// as an entry name (`/app/db/password` does, `/app/secrets/db-host` does not).
pub fn path_names_secret(path: &str) -> bool {
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path);
    names_secret(last, NameKind::Entry)
}

/// The keys of a `{Name, Value}` pair object (ECS container environment, SSM parameters, CodeBuild
/// environment variables): when the name names a secret, the value is one.
pub const PAIR_NAMES: &[&str] = &["Name", "name"];
/// See [`PAIR_NAMES`].
pub const PAIR_VALUES: &[&str] = &["Value", "value"];
/// The key of a pair's type; [`is_reference_type`] says whether its value is a reference.
pub const PAIR_TYPES: &[&str] = &["Type", "type"];

/// Whether a pair's `Type` says its value is a reference to a secret kept elsewhere (CodeBuild's
/// `PARAMETER_STORE`, `SECRETS_MANAGER`), not the secret.
pub fn is_reference_type(type_value: &str) -> bool {
    matches!(type_value, "PARAMETER_STORE" | "SECRETS_MANAGER")
}

/// Whether literal text is (or holds) a CloudFormation dynamic reference, which CloudFormation resolves
/// at deploy time: `{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`, `{{resolve:ssm:...}}`.
pub fn is_dynamic_reference(text: &str) -> bool {
    text.contains("{{resolve:")
}

/// Whether literal text refers to a secret rather than being one: a dynamic reference (see
/// [`is_dynamic_reference`]) or an ARN (`arn:aws:secretsmanager:...`, an API's credentials role).
pub fn is_reference_text(text: &str) -> bool {
    is_dynamic_reference(text) || text.starts_with("arn:")
}

/// A secret's shape without its characters: `a string of 812 characters`.
pub fn describe_text(text: &str) -> String {
    let count = text.chars().count();
    let lines = text.lines().count();
    let plural = if count == 1 { "" } else { "s" };
    if lines > 1 {
        format!("a string of {count} character{plural} on {lines} lines")
    } else {
        format!("a string of {count} character{plural}")
    }
}

/// A secret value found by [`find`]: where it is and the name that makes it one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spot {
    /// Keys and list indices from the searched value to the secret (a scalar: a string, a number or a
    /// value the caller's `is_reference` accepts).
    pub path: Vec<String>,
    /// The name that says it is secret: the key holding it, the name of its `{Name, Value}` pair, or the
    /// key inside the JSON text it is.
    pub name: String,
    /// Which of the three `name` is.
    pub via: Via,
}

/// What makes a [`Spot`] a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The key holding it names a secret.
    Key,
    /// It is the value of a `{Name, Value}` pair whose name names a secret.
    Pair,
    /// It is JSON text holding a key that names a secret.
    JsonText,
    /// It is a URL with a password in it (`postgres://admin:PASSWORD@db`).
    UrlPassword,
}

/// What a node of a searched [`Tree`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node<'a> {
    /// Keys and values, searched.
    Object,
    /// Items, searched.
    List,
    /// Literal text.
    Text(&'a str),
    /// A literal number.
    Number,
    /// A value known at deploy time only (a CloudFormation intrinsic function, a Stackwright reference):
    /// a scalar, never searched.
    Reference,
    /// Booleans and nulls: never secrets.
    Other,
}

/// A tree [`find`] searches: JSON ([`JsonTree`]) or a caller's own values, without converting them.
pub trait Tree<'a>: Copy {
    /// What this node is.
    fn node(self) -> Node<'a>;
    /// Calls `f` with each key and value of an object, in order (nothing for other nodes).
    fn entries(self, f: &mut dyn FnMut(&'a str, Self));
    /// Calls `f` with each item of a list, in order (nothing for other nodes).
    fn items(self, f: &mut dyn FnMut(Self));
    /// The value of `key` in an object.
    fn get(self, key: &str) -> Option<Self>;
}

/// A JSON value as a [`Tree`]; `is_reference` says which objects are references (CloudFormation
/// intrinsic functions).
#[derive(Clone, Copy)]
pub struct JsonTree<'a> {
    /// The value searched.
    pub value: &'a serde_json::Value,
    /// Whether an object is a reference (a scalar known at deploy time, not searched).
    pub is_reference: &'a dyn Fn(&serde_json::Value) -> bool,
}

impl<'a> JsonTree<'a> {
    /// `value`, with no object a reference.
    pub fn plain(value: &'a serde_json::Value) -> Self {
        JsonTree {
            value,
            is_reference: &|_| false,
        }
    }

    fn with(self, value: &'a serde_json::Value) -> Self {
        JsonTree { value, ..self }
    }
}

impl<'a> Tree<'a> for JsonTree<'a> {
    fn node(self) -> Node<'a> {
        use serde_json::Value as Json;
        match self.value {
            Json::Object(_) if (self.is_reference)(self.value) => Node::Reference,
            Json::Object(_) => Node::Object,
            Json::Array(_) => Node::List,
            Json::String(s) => Node::Text(s),
            Json::Number(_) => Node::Number,
            Json::Bool(_) | Json::Null => Node::Other,
        }
    }

    fn entries(self, f: &mut dyn FnMut(&'a str, Self)) {
        if let serde_json::Value::Object(map) = self.value {
            map.iter().for_each(|(k, v)| f(k, self.with(v)));
        }
    }

    fn items(self, f: &mut dyn FnMut(Self)) {
        if let serde_json::Value::Array(items) = self.value {
            items.iter().for_each(|v| f(self.with(v)));
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        self.value.get(key).map(|v| self.with(v))
    }
}

/// One step of a path while searching: kept borrowed, rendered only for a [`Spot`].
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn rendered(path: &[Step]) -> Vec<String> {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => (*k).to_owned(),
            Step::Index(i) => i.to_string(),
        })
        .collect()
}

/// Finds the secret values in `value` (a resource's properties, or a part of them) by their names: every
/// scalar held by a key that names a secret (or a list of them), the value of every `{Name, Value}` pair
/// whose name names a secret, and every string that is JSON text holding a secret by these rules (an SSM
/// parameter's `{"password": ...}`, a Terraform ECS task's `container_definitions` with a secret-named
/// environment variable). `style` is how the document spells property names (keys spelled otherwise are
/// entries). References count as scalars and are not searched; booleans, empty strings and text that
/// refers to a secret ([`is_reference_text`]) are never secrets. Allocates only for what it finds.
pub fn find<'a, T: Tree<'a>>(value: T, style: Style, out: &mut Vec<Spot>) {
    search(value, style, &mut Vec::new(), out);
}

/// Whether a node may be a secret's value: a scalar other than a boolean, or a reference.
fn holds<'a, T: Tree<'a>>(value: T) -> bool {
    match value.node() {
        Node::Text(s) => !s.is_empty() && !is_reference_text(s),
        Node::Number | Node::Reference => true,
        Node::Object | Node::List | Node::Other => false,
    }
}

/// The spot a string is when it is JSON text holding a secret.
fn text_spot<'a, T: Tree<'a>>(value: T, style: Style, path: &[Step]) -> Option<Spot> {
    let Node::Text(text) = value.node() else {
        return None;
    };
    if url_has_password(text) {
        return Some(Spot {
            path: rendered(path),
            name: "a URL's password".to_owned(),
            via: Via::UrlPassword,
        });
    }
    Some(Spot {
        path: rendered(path),
        name: json_text_secret(text, style)?,
        via: Via::JsonText,
    })
}

/// Whether `text` holds a URL whose user information has a password (`scheme://user:password@host`,
/// RFC 3986's deprecated `userinfo` form): a credential in any property, whatever its name.
pub fn url_has_password(text: &str) -> bool {
    text.match_indices("://").any(|(at, _)| {
        let rest = &text[at + 3..];
        let authority = rest.split(['/', '?', '#', ' ', '"']).next().unwrap_or("");
        authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
            userinfo
                .split_once(':')
                .is_some_and(|(user, password)| !user.is_empty() && !password.is_empty())
        })
    })
}

fn search<'a, T: Tree<'a>>(value: T, style: Style, path: &mut Vec<Step<'a>>, out: &mut Vec<Spot>) {
    match value.node() {
        Node::Object => {
            // The value key of a pair named as a secret, found here and not again below.
            let mut pair_value = None;
            if let Some((name, via, key)) = pair(value) {
                path.push(Step::Key(key));
                out.push(Spot {
                    path: rendered(path),
                    name,
                    via,
                });
                path.pop();
                pair_value = Some(key);
            }
            value.entries(&mut |key, v| {
                path.push(Step::Key(key));
                let secret = names_secret(key, style.kind_of(key));
                match v.node() {
                    _ if secret && holds(v) => out.push(Spot {
                        path: rendered(path),
                        name: key.to_owned(),
                        via: Via::Key,
                    }),
                    Node::List if secret => {
                        let mut i = 0;
                        v.items(&mut |item| {
                            path.push(Step::Index(i));
                            if holds(item) {
                                out.push(Spot {
                                    path: rendered(path),
                                    name: key.to_owned(),
                                    via: Via::Key,
                                });
                            } else {
                                search(item, style, path, out);
                            }
                            path.pop();
                            i += 1;
                        });
                    }
                    Node::Text(_) if pair_value != Some(key) => {
                        out.extend(text_spot(v, style, path))
                    }
                    Node::Text(_) => {}
                    _ => search(v, style, path, out),
                }
                path.pop();
            });
        }
        Node::List => {
            let mut i = 0;
            value.items(&mut |item| {
                path.push(Step::Index(i));
                match item.node() {
                    Node::Text(_) => out.extend(text_spot(item, style, path)),
                    _ => search(item, style, path, out),
                }
                path.pop();
                i += 1;
            });
        }
        Node::Text(_) | Node::Number | Node::Reference | Node::Other => {}
    }
}

/// A `{Name, Value}` pair named as a secret whose value may be one: the name that makes it one, and the
/// value's key.
fn pair<'a, T: Tree<'a>>(object: T) -> Option<(String, Via, &'static str)> {
    let key = PAIR_VALUES.iter().find(|k| object.get(k).is_some())?;
    let (name, via) = pair_secret(object)?;
    holds(object.get(key)?).then_some((name, via, *key))
}

/// The name that makes a `{Name, Value}` pair's value secret, if any: its name (the last `/` segment of
/// an SSM parameter's); `None` when its `Type` says the value is a reference (see
/// [`is_reference_type`]).
pub fn pair_secret<'a, T: Tree<'a>>(object: T) -> Option<(String, Via)> {
    let text = |key: &str| match object.get(key)?.node() {
        Node::Text(t) => Some(t),
        _ => None,
    };
    PAIR_VALUES.iter().find(|k| object.get(k).is_some())?;
    if PAIR_TYPES
        .iter()
        .filter_map(|k| text(k))
        .any(is_reference_type)
    {
        return None;
    }
    let name = PAIR_NAMES.iter().find_map(|k| text(k))?;
    path_names_secret(name).then(|| (name.to_owned(), Via::Pair))
}

/// The name of the first secret in JSON text (an object or a list, by the rules of [`find`], its keys
/// spelled as `style` spells properties): `{"username": "app", "password": "..."}` gives `password`.
/// `None` for text that is not a JSON object or list.
pub fn json_text_secret(text: &str, style: Style) -> Option<String> {
    let start = text.trim_start().chars().next()?;
    if start != '{' && start != '[' {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut spots = Vec::new();
    find(JsonTree::plain(&value), style, &mut spots);
    spots.into_iter().next().map(|spot| spot.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_separators_and_case_changes() {
        assert_eq!(words("API_TOKEN"), ["api", "token"]);
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("S3Key"), ["s3", "key"]);
        assert_eq!(words("MasterUserPassword"), ["master", "user", "password"]);
        assert_eq!(words("db-password"), ["db", "password"]);
        assert_eq!(words("DBInstanceClass"), ["db", "instance", "class"]);
        assert_eq!(words("/app/db/key"), ["app", "db", "key"]);
    }

    #[test]
    fn the_candidate_scan_finds_each_word_anywhere_in_any_case() {
        const WORDS: [&str; 8] = [
            "pass",
            "pwd",
            "secret",
            "token",
            "credential",
            "key",
            "private",
            "auth",
        ];
        // The scan it replaced: one pass per word.
        let naive = |name: &str| {
            WORDS.iter().any(|word| {
                name.as_bytes()
                    .windows(word.len())
                    .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
            })
        };
        let names = [
            "",
            "k",
            "ke",
            "KEY",
            "xKeY",
            "pas",
            "Pass",
            "bypass",
            "PWD",
            "pw",
            "Secre",
            "SECRET_X",
            "tokenize",
            "Toke",
            "credentia",
            "MyCredentials",
            "privat",
            "PRIVATE",
            "aut",
            "OAuth",
            "InstanceType",
            "http_tokens",
            "Name",
            "stackwright:app",
            "ImageId",
            "subnet_id",
            "élan",
            "ключ",
            "pässword",
            "keŷ",
        ];
        for name in names {
            assert_eq!(holds_candidate(name.as_bytes()), naive(name), "{name:?}");
        }
    }

    #[test]
    fn user_spellings_of_password_and_urls_with_one() {
        for name in ["DB_PWD", "SMTP_PASS", "dbPwd"] {
            assert!(names_secret(name, NameKind::Entry), "{name}");
        }
        for name in ["PASSTHROUGH", "BYPASS_CACHE", "PASSENGER_COUNT"] {
            assert!(!names_secret(name, NameKind::Entry), "{name}");
        }
        // Schemas do not spell passwords so: a property named `Pass` is not taken for one.
        assert!(!names_secret("Pass", NameKind::Property));
        assert!(url_has_password("postgres://admin:hunter2@db:5432/app"));
        assert!(url_has_password("see https://u:p@example.com/x"));
        for text in [
            "https://example.com/a:b@c",
            "postgres://admin@db/app",
            "mailto:a@b.c",
            "https://example.com/?user=a:b@c",
            "http://:p@host",
        ] {
            assert!(!url_has_password(text), "{text}");
        }
        let mut spots = Vec::new();
        let value =
            serde_json::json!({"Variables": {"DATABASE_URL": "postgres://admin:hunter2@db/app"}});
        find(JsonTree::plain(&value), Style::Pascal, &mut spots);
        assert_eq!(spots.len(), 1, "{spots:?}");
        assert_eq!(spots[0].via, Via::UrlPassword);
    }

    #[test]
    fn entry_names() {
        for name in [
            "API_TOKEN",
            "API_KEY",
            "apiKey",
            "key",
            "KEY",
            "DB_PASSWORD",
            "dbpassword",
            "db-passwd",
            "PRIVATE_KEY",
            "private",
            "AUTH",
            "AUTH_HEADER",
            "GITHUB_CREDENTIALS",
            "AWS_SECRET_ACCESS_KEY",
            "client_secret",
            "SESSION_KEYS",
            "signing_key",
        ] {
            assert!(names_secret(name, NameKind::Entry), "{name}");
        }
        for name in [
            "KeyName",
            "SECRET_ARN",
            "secret_name",
            "KmsKeyId",
            "KMS_KEY",
            "API_KEY_ID",
            "AWS_ACCESS_KEY_ID",
            "PasswordLength",
            "TOKEN_URL",
            "AUTH_MODE",
            "S3_KEY",
            "PARTITION_KEY",
            "PUBLIC_KEY",
            "QUEUE_URL",
            "TABLE_NAME",
            "monkey",
            "author",
            "ClientToken",
            "secretsmanager:SecretId",
            "PRIVATE_SUBNET_IDS",
            "AUTH_DOMAIN",
            "NEXT_TOKEN",
            "aws:SecureTransport",
            "",
        ] {
            assert!(!names_secret(name, NameKind::Entry), "{name}");
        }
    }

    #[test]
    fn property_names() {
        for name in [
            "MasterUserPassword",
            "password",
            "secret_string",
            "SecretString",
            "ClientSecret",
            "client_secret",
            "private_key",
            "AuthToken",
            "TdeCredentialPassword",
            "ApiKeyValue",
            "api_key",
            "access_token",
            "HostKey",
            "Passwords",
            "Token",
            "TokenValue",
            "RefreshToken",
            "SecretKey",
            "KeyPassphrase",
            "AuthorizerCredentials",
        ] {
            assert!(names_secret(name, NameKind::Property), "{name}");
        }
        for name in [
            "SecretArn",
            "secret_id",
            "SecretName",
            "PasswordLength",
            "kms_key_id",
            "InstanceType",
            "MasterUserSecretKmsKeyId",
            "Key",
            "S3Key",
            "KeyName",
            "KeyType",
            "PrivateIpAddress",
            "AuthType",
            "ClientToken",
            "SecretStringTemplate",
            "GenerateStringKey",
            "ApiKeyName",
            "HttpTokens",
            "http_tokens",
            "MaxTokens",
            "ServiceToken",
            "ApiKeySecretJsonKey",
            "SecretStringKey",
            "SecretsRoleArn",
            "PasswordResetRequired",
            "CredentialDurationSeconds",
        ] {
            assert!(!names_secret(name, NameKind::Property), "{name}");
        }
    }

    #[test]
    fn spelling_tells_entries_from_properties() {
        assert_eq!(
            Style::Pascal.kind_of("MasterUserPassword"),
            NameKind::Property
        );
        assert_eq!(Style::Pascal.kind_of("Key"), NameKind::Property);
        assert_eq!(Style::Pascal.kind_of("API_TOKEN"), NameKind::Entry);
        assert_eq!(Style::Pascal.kind_of("KEY"), NameKind::Entry);
        assert_eq!(Style::Pascal.kind_of("apiKey"), NameKind::Entry);
        assert_eq!(Style::Snake.kind_of("master_password"), NameKind::Property);
        assert_eq!(Style::Snake.kind_of("API_TOKEN"), NameKind::Entry);
        assert_eq!(Style::Snake.kind_of("apiKey"), NameKind::Entry);
    }

    #[test]
    fn ssm_paths_and_shapes() {
        assert!(path_names_secret("/app/db/password"));
        assert!(path_names_secret("/app/api-key/"));
        assert!(!path_names_secret("/app/secrets/db-host"));
        assert!(!path_names_secret("/app/db/password-arn"));
        assert_eq!(describe_text("abc"), "a string of 3 characters");
        assert_eq!(describe_text("a"), "a string of 1 character");
        assert_eq!(describe_text("a\nb"), "a string of 3 characters on 2 lines");
        assert!(is_dynamic_reference(
            "{{resolve:ssm-secure:/db/password:1}}"
        ));
    }

    #[test]
    fn spots_by_key_pair_and_json_text() {
        let value = serde_json::json!({
            "Environment": {"Variables": {"API_TOKEN": "t0k", "QUEUE_URL": "https://q", "key": {"Ref": "P"}}},
            "MasterUserPassword": "",
            "Passwords": ["a", "b"],
            "ContainerDefinitions": [{"Environment": [
                {"Name": "DB_PASSWORD", "Value": "pw"},
                {"Name": "HOST", "Value": "db"},
                {"Name": "AUTH", "Value": "/app/auth", "Type": "PARAMETER_STORE"}
            ]}],
            "Parameter": {"Name": "/app/db/config", "Type": "String", "Value": "{\"user\": \"a\", \"password\": \"b\"}"},
            "Tags": [{"Key": "Name", "Value": "web"}],
            "KmsKeyId": "alias/x",
            "Credentials": "arn:aws:iam::123456789012:role/api",
            "SecretStringTemplate": "{\"username\": \"admin\"}"
        });
        let mut spots = Vec::new();
        let intrinsic = |v: &serde_json::Value| v.get("Ref").is_some();
        let tree = JsonTree {
            value: &value,
            is_reference: &intrinsic,
        };
        find(tree, Style::Pascal, &mut spots);
        let found: Vec<(String, &str)> = spots
            .iter()
            .map(|s| (s.path.join("/"), s.name.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("Environment/Variables/API_TOKEN".to_owned(), "API_TOKEN"),
                ("Environment/Variables/key".to_owned(), "key"),
                ("Passwords/0".to_owned(), "Passwords"),
                ("Passwords/1".to_owned(), "Passwords"),
                (
                    "ContainerDefinitions/0/Environment/0/Value".to_owned(),
                    "DB_PASSWORD"
                ),
                ("Parameter/Value".to_owned(), "password"),
            ]
        );
    }
}
