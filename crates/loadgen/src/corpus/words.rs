//! The vocabulary of the realistic generator: the languages mail is written in, their words,
//! greetings and people, and the (reserved, RFC 2606) domains the people write from.
//!
//! Japanese is written in kana only so that ISO-2022-JP and Shift_JIS can be encoded without a
//! table ([`charset`](super::charset)); Chinese, with its Han characters, stays in UTF-8.

use super::WORDS;

/// The language a message (or a person's name) is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lang {
    English,
    German,
    French,
    Spanish,
    Russian,
    Japanese,
    Chinese,
}

impl Lang {
    /// A language in the proportions of a European mailbox with some far-away correspondents.
    pub(super) fn draw(rng: &mut fastrand::Rng) -> Lang {
        match rng.u32(0..100) {
            0..60 => Lang::English,
            60..70 => Lang::German,
            70..78 => Lang::French,
            78..83 => Lang::Spanish,
            83..91 => Lang::Russian,
            91..96 => Lang::Japanese,
            _ => Lang::Chinese,
        }
    }

    /// Whether words are separated by spaces (and lines broken between words).
    pub(super) fn spaced(self) -> bool {
        !matches!(self, Lang::Japanese | Lang::Chinese)
    }

    /// The language's own words (without the shared [`WORDS`]).
    fn vocabulary(self) -> &'static [&'static str] {
        match self {
            Lang::English => ENGLISH,
            Lang::German => GERMAN,
            Lang::French => FRENCH,
            Lang::Spanish => SPANISH,
            Lang::Russian => RUSSIAN,
            Lang::Japanese => JAPANESE,
            Lang::Chinese => CHINESE,
        }
    }

    /// One word of running text: about one in eight from [`WORDS`] (the `SEARCH BODY` needles),
    /// the rest from the language's vocabulary.
    pub(super) fn word(self, rng: &mut fastrand::Rng) -> &'static str {
        if rng.u8(0..8) == 0 {
            pick(rng, &WORDS)
        } else {
            pick(rng, self.vocabulary())
        }
    }

    /// What ends a sentence, and what separates clauses.
    pub(super) fn stops(self) -> (&'static str, &'static str) {
        if self.spaced() {
            (".", ",")
        } else {
            ("。", "、")
        }
    }

    /// The opening line, for a recipient whose first name is `first`.
    pub(super) fn greeting(self, rng: &mut fastrand::Rng, first: &str) -> String {
        let forms: &[&str] = match self {
            Lang::English => &["Hi {},", "Hello {},", "Dear {},", "Hi all,", "{},"],
            Lang::German => &["Hallo {},", "Liebe {},", "Sehr geehrte Damen und Herren,"],
            Lang::French => &["Bonjour {},", "Cher {},", "Bonjour à tous,"],
            Lang::Spanish => &["Hola {},", "Estimado {}:", "Buenos días,"],
            Lang::Russian => &["Здравствуйте, {}!", "Добрый день, {}!", "Коллеги, привет!"],
            Lang::Japanese => &["{}さま", "おつかれさまです。"],
            Lang::Chinese => &["{}，你好：", "各位同事："],
        };
        pick(rng, forms).replace("{}", first)
    }

    /// The closing line before the sender's name.
    pub(super) fn closing(self, rng: &mut fastrand::Rng) -> &'static str {
        let forms: &[&str] = match self {
            Lang::English => &[
                "Best regards,",
                "Thanks,",
                "Cheers,",
                "Kind regards,",
                "Best,",
            ],
            Lang::German => &["Viele Grüße", "Mit freundlichen Grüßen", "Beste Grüße"],
            Lang::French => &["Cordialement,", "Bien à vous,", "Bonne journée,"],
            Lang::Spanish => &["Saludos,", "Un saludo,", "Atentamente,"],
            Lang::Russian => &["С уважением,", "Спасибо,", "Всего доброго,"],
            Lang::Japanese => &["よろしくおねがいします。"],
            Lang::Chinese => &["谢谢！", "此致"],
        };
        pick(rng, forms)
    }

    /// The line that introduces a quoted message ("On …, … wrote:").
    pub(super) fn attribution(self, date: &str, who: &str) -> String {
        match self {
            Lang::English => format!("On {date}, {who} wrote:"),
            Lang::German => format!("Am {date} schrieb {who}:"),
            Lang::French => format!("Le {date}, {who} a écrit :"),
            Lang::Spanish => format!("El {date}, {who} escribió:"),
            Lang::Russian => format!("{date}, {who} пишет:"),
            Lang::Japanese => format!("{date} {who}:"),
            Lang::Chinese => format!("{who} 于 {date} 写道："),
        }
    }

    /// A person's first and last name in this language.
    pub(super) fn name(self, rng: &mut fastrand::Rng) -> (&'static str, &'static str) {
        let (first, last): (&[&str], &[&str]) = match self {
            Lang::English => (
                &[
                    "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Olivia",
                ],
                &[
                    "Johnson", "Smith", "O'Brien", "Taylor", "Brown", "Walker", "Clarke", "Wright",
                ],
            ),
            Lang::German => (
                &[
                    "Jürgen", "Björn", "Käthe", "Sören", "Jörg", "Günther", "Anna", "Lukas",
                ],
                &[
                    "Müller", "Schäfer", "Weiß", "Groß", "Krüger", "Bäcker", "Schmidt", "Köhler",
                ],
            ),
            Lang::French => (
                &[
                    "Hélène",
                    "François",
                    "Céline",
                    "Jérôme",
                    "Gaëlle",
                    "Benoît",
                    "Chloé",
                    "Marc",
                ],
                &[
                    "Lefèvre", "Dubois", "Bérard", "Martin", "Noël", "Ménard", "Rousseau",
                ],
            ),
            Lang::Spanish => (
                &[
                    "José", "María", "Ángel", "Inés", "Sofía", "Carlos", "Lucía", "Andrés",
                ],
                &[
                    "Muñoz",
                    "Núñez",
                    "Peña",
                    "García",
                    "Fernández",
                    "Ibáñez",
                    "López",
                ],
            ),
            Lang::Russian => (
                &[
                    "Дмитрий",
                    "Ольга",
                    "Сергей",
                    "Анна",
                    "Алексей",
                    "Наталья",
                    "Фёдор",
                ],
                &[
                    "Иванов",
                    "Смирнова",
                    "Кузнецов",
                    "Петрова",
                    "Соколов",
                    "Волкова",
                ],
            ),
            Lang::Japanese => (
                &["ハナコ", "タロウ", "ユキ", "ケンジ", "さくら", "ひろし"],
                &["タナカ", "スズキ", "ヤマダ", "サトウ", "ワタナベ"],
            ),
            Lang::Chinese => (
                &["伟", "娜", "敏", "洋", "静", "磊"],
                &["王", "李", "张", "刘", "陈"],
            ),
        };
        (pick(rng, first), pick(rng, last))
    }

    /// "First Last" as written in the language (family name first, no space, in Chinese).
    pub(super) fn full_name(self, first: &str, last: &str) -> String {
        match self {
            Lang::Chinese => format!("{last}{first}"),
            Lang::Japanese => format!("{last} {first}"),
            _ => format!("{first} {last}"),
        }
    }

    /// ASCII local part for a person (`j.mueller`, `olga.petrova`, `user4711`).
    pub(super) fn local_part(self, rng: &mut fastrand::Rng, first: &str, last: &str) -> String {
        let (f, l) = (ascii_fold(first), ascii_fold(last));
        match (f.is_empty() || l.is_empty(), rng.u8(0..3)) {
            (true, _) => format!("user{}", rng.u32(100..100_000)),
            (false, 0) => format!("{f}.{l}"),
            (false, 1) => format!("{}.{l}", &f[..1]),
            (false, _) => format!("{f}{}", rng.u32(1..100)),
        }
    }

    /// The organisations people of this language write from.
    pub(super) fn domain(self, rng: &mut fastrand::Rng) -> &'static str {
        let d: &[&str] = match self {
            Lang::German => &["mueller-gmbh.example", "stadtwerke.example", "gmx.example"],
            Lang::French => &[
                "societe-generale.example",
                "orange.example",
                "laposte.example",
            ],
            Lang::Spanish => &["telefonica.example", "correo.example"],
            Lang::Russian => &["yandex.example", "mail-ru.example", "rostelecom.example"],
            Lang::Japanese => &["docomo.example", "nikkei.example"],
            Lang::Chinese => &["qq.example", "163.example"],
            Lang::English => &[],
        };
        if d.is_empty() || rng.u8(0..3) == 0 {
            pick(rng, COMMON_DOMAINS)
        } else {
            pick(rng, d)
        }
    }
}

/// Domains anyone writes from.
const COMMON_DOMAINS: &[&str] = &[
    "gmail.example",
    "outlook.example",
    "acme.example",
    "globex.example",
    "initech.example",
    "contoso.example",
    "northwind.example",
    "fabrikam.example",
    "lists.example.org",
];

/// A random element of a non-empty slice.
pub(super) fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

/// Lower-case ASCII letters of a name (`Jürgen` → `jurgen`); empty for non-Latin names.
fn ascii_fold(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'à'..='å' | 'À'..='Å' => Some('a'),
            'è'..='ë' | 'É' => Some('e'),
            'ì'..='ï' => Some('i'),
            'ò'..='ö' => Some('o'),
            'ù'..='ü' => Some('u'),
            'ñ' => Some('n'),
            'ç' => Some('c'),
            'ß' => Some('s'),
            _ => None,
        })
        .collect()
}

#[rustfmt::skip]
const ENGLISH: &[&str] = &[
    "the", "the", "the", "a", "a", "we", "our", "you", "your", "please", "could", "would", "should",
    "will", "can", "need", "have", "has", "been", "this", "that", "these", "with", "from", "about",
    "for", "for", "on", "in", "in", "at", "by", "to", "to", "and", "and", "of", "of", "is", "are",
    "was", "next", "last", "week", "month", "today", "tomorrow", "morning", "afternoon", "team",
    "office", "call", "notes", "attached", "document", "version", "changes", "numbers", "figures",
    "plan", "feedback", "approval", "request", "payment", "order", "delivery", "account", "access",
    "support", "issue", "ticket", "fix", "deploy", "testing", "results", "client", "partner",
    "vendor", "price", "quote", "discussion", "decision", "priority", "timeline", "milestone",
    "launch", "design", "send", "check", "confirm", "share", "discuss", "prepare", "finish",
    "start", "move", "book", "arrange", "let", "know", "think", "agree", "suggest", "include",
    "soon", "again", "before", "after", "everyone", "question", "details", "figures", "slides",
    "spreadsheet", "room", "Friday", "Monday", "Tuesday", "quarter", "revenue", "forecast",
    "estimate", "hiring", "onboarding", "training", "workshop", "conference", "flight", "hotel",
    "expenses", "receipt", "policy", "security", "password", "backup", "migration", "database",
    "outage", "incident", "postmortem", "roadmap", "feature", "bug", "customers", "pricing",
    "discount", "renewal", "signature", "legal", "compliance", "audit", "thanks", "great", "quick",
    "small", "big", "new", "old", "final", "early", "late", "possible", "important", "urgent",
    "happy", "sure",
];

#[rustfmt::skip]
const GERMAN: &[&str] = &[
    "bitte", "danke", "für", "über", "und", "oder", "mit", "bei", "nach", "wir", "Sie", "haben",
    "werden", "können", "müssen", "die", "der", "das", "den", "ist", "sind", "nicht", "noch",
    "Besprechung", "Termin", "nächste", "Woche", "Rechnung", "Bericht", "Straße", "schön", "größer",
    "möglich", "Änderungen", "Mitarbeiter", "Unterlagen", "Prüfung", "heute", "morgen", "Gespräch",
    "Angebot", "Vertrag", "Lieferung", "Kunde", "Büro", "Entwurf", "Zusammenfassung", "Frühstück",
    "Verfügung", "zurück", "gemäß", "Maßnahmen", "Übersicht", "Rückmeldung", "Grüße", "Abstimmung",
    "Freigabe", "Auftrag", "Zahlung", "Präsentation",
];

#[rustfmt::skip]
const FRENCH: &[&str] = &[
    "merci", "pour", "avec", "nous", "vous", "le", "la", "les", "des", "une", "est", "sont", "pas",
    "réunion", "été", "déjà", "très", "à", "semaine", "prochaine", "rapport", "facture", "équipe",
    "projet", "réponse", "première", "dernière", "année", "prévu", "reçu", "après", "délai",
    "client", "contrat", "livraison", "mise", "jour", "où", "être", "français", "problème",
    "système", "données", "qualité", "sécurité", "bientôt", "voilà", "côté", "intérêt", "numéro",
    "étape", "modèle", "présentation", "comité", "échéance",
];

#[rustfmt::skip]
const SPANISH: &[&str] = &[
    "gracias", "para", "con", "nosotros", "usted", "el", "la", "los", "las", "una", "es", "reunión",
    "mañana", "año", "próxima", "semana", "informe", "factura", "señor", "equipo", "más", "también",
    "está", "después", "según", "presupuesto", "envío", "revisión", "cliente", "contrato",
    "entrega", "número", "días", "página", "teléfono", "dirección", "información", "atención",
    "propuesta", "¿podemos", "hablar?",
];

#[rustfmt::skip]
const RUSSIAN: &[&str] = &[
    "и", "в", "на", "по", "для", "с", "о", "что", "это", "мы", "вы", "будет", "нужно", "можно",
    "встреча", "отчёт", "бюджет", "проект", "неделя", "сегодня", "завтра", "договор", "клиент",
    "счёт", "пожалуйста", "коллеги", "обсудить", "вопрос", "сроки", "график", "изменения",
    "документы", "утверждение", "поставка", "команда", "результаты", "ещё", "всё", "объём",
    "согласование", "предложение", "Москва", "офис", "звонок", "письмо", "Спасибо",
];

#[rustfmt::skip]
const JAPANESE: &[&str] = &[
    "ミーティング", "プロジェクト", "レポート", "スケジュール", "メール", "ファイル", "データ", "チーム", "サーバー", "リリース", "アップデート",
    "レビュー", "クライアント", "コスト", "よろしく", "おねがいします", "ありがとう", "ございます", "です", "ます", "について", "の", "を", "に",
    "は", "が", "と", "から", "まで", "あした", "きょう", "らいしゅう", "かくにん", "しりょう", "ごれんらく", "おまちしております",
];

#[rustfmt::skip]
const CHINESE: &[&str] = &[
    "会议", "报告", "预算", "项目", "客户", "合同", "发票", "下周", "今天", "明天", "请", "确认", "谢谢", "我们", "需要", "更新",
    "时间", "安排", "团队", "文件", "审核", "服务器", "发布", "的", "了", "和", "在", "已经", "问题", "计划",
];
