// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal

/// `amanat-inbox`'s help texts in Russian, keyed by the English text the commands declare (see
/// ``LocalisedHelp``; the shared options are in ``SharedHelp``). A test checks that every text
/// the help can show has its translation here, free of Latin words but commands and names.
public enum InboxHelpCatalogue {
    public static let russian: [String: String] = [
        "Receive, read and answer defenders' case updates; run the organisation.":
            "Получать, читать сведения правозащитников по делам и отвечать на них; управлять организацией.",
        "Exit codes: 0 done; 64 usage; 65 invalid data; 66 a file is missing or unreadable; 69 network (relay unreachable, try again later); 73 the profile cannot be written or exists already; 75 saved but not sent yet; 76 security check failed; 77 wrong passphrase, no profile, or not permitted.":
            "Коды выхода: 0 — готово; 64 — ошибка в команде; 65 — неверные данные; 66 — файла нет или его нельзя прочитать; 69 — сеть (ретранслятор недоступен, повторите позже); 73 — профиль нельзя записать или он уже есть; 75 — сохранено, но ещё не отправлено; 76 — проверка безопасности не пройдена; 77 — неверная парольная фраза, профиля нет или действие не разрешено.",
        "A SOCKS proxy such as Tor's: socks5h://127.0.0.1:9050.":
            "Прокси SOCKS, например от Tor: `socks5h://127.0.0.1:9050`.",
        "A case's timeline (updates, attachments, replies), its triage, notes and history.":
            "Ход дела (сведения, вложения, ответы), его разбор, заметки и история.",
        "Add an internal note to a case: experts see it, the defender never does.":
            "Добавить к делу внутреннюю заметку: её видят эксперты, но никогда не видит правозащитник.",
        "Add labels to a case, or take them off with --remove.":
            "Добавить делу метки или (с --remove) снять их.",
        "Also draw the safety number as a QR code for the defender's `amanat verify --scan`.":
            "Также показать код безопасности как QR-код для `amanat verify --scan` у правозащитника.",
        "Also write it to this file.": "Также записать в этот файл.",
        "A Tor bridge line (`obfs4 …` or `snowflake …`) for this one person; up to four times.":
            "Строка моста Tor (`obfs4 …` или `snowflake …`) только для этого человека; до четырёх раз.",
        "List the relay's addresses, or add or remove one; invites carry them all, tried in order.":
            "Показать адреса ретранслятора, добавить или удалить адрес; приглашения несут их все, по порядку.",
        "Add this address of the relay (https://… or http://….onion) after the others.":
            "Добавить этот адрес ретранслятора (https://… или http://….onion) после остальных.",
        "The relay's TLS pin (sha256//…) at the added address, if it has one.":
            "Пин TLS ретранслятора (`sha256//…`) по добавляемому адресу, если он есть.",
        "Remove this address (not the first one: `amanat-inbox` keeps that as connected).":
            "Удалить этот адрес (кроме первого: его `amanat-inbox` хранит как адрес подключения).",
        "An expert's name from the roster, `me` or `nobody`.":
            "Имя эксперта из списка организации, `me` или `nobody`.",
        "Answer a defender.": "Ответить правозащитнику.",
        "Assign a case to an expert on the roster (by name), to `me`, or to `nobody`.":
            "Поручить дело эксперту из списка (по имени), себе (`me`) или никому (`nobody`).",
        "Check an evidence bundle: signature, certificate, files, relay receipts, triage events.":
            "Проверить пакет доказательств: подпись, сертификат, файлы, квитанции ретранслятора, события разбора.",
        "Connect the organisation to its relay; this device becomes the first expert.":
            "Подключить организацию к её ретранслятору; это устройство станет первым экспертом.",
        "Create the organisation's root key inside a new encrypted profile.":
            "Создать корневой ключ организации в новом зашифрованном профиле.",
        "Days until it expires (default 7).": "Через сколько дней истекает срок (по умолчанию 7).",
        "Decrypt an attachment to a file.": "Расшифровать вложение в файл.",
        "Decrypts in memory only; the profile keeps no search index.":
            "Расшифровывает только в памяти; профиль не хранит поискового индекса.",
        "Draw it as a QR code above the link (default: when the output is a terminal).":
            "Показать его как QR-код над ссылкой (по умолчанию — когда вывод идёт на терминал).",
        "Enrol this device as an expert with an invite; prints the card for the administrator.":
            "Зарегистрировать это устройство как эксперта по приглашению; выводит карточку для администратора.",
        "Example: `amanat-inbox alias k7m2q \"Gulnara, appeal\"`.":
            "Пример: `amanat-inbox alias k7m2q \"Гульнара, апелляция\"`.",
        "Examples: `amanat-inbox set k7m2q status in-progress`, `… priority urgent`.":
            "Примеры: `amanat-inbox set k7m2q status in-progress`, `… priority urgent`.",
        "Export a case as a signed evidence bundle: messages, attachments, hashes, relay receipts, triage.":
            "Выгрузить дело как подписанный пакет доказательств: сообщения, вложения, хеши, квитанции ретранслятора, разбор.",
        "Files to attach.": "Файлы для вложения.",
        "An expert device is lost or seized: take it off the roster under a new roster key, which goes to every other device; defenders then change their deposit keys.":
            "Устройство эксперта утеряно или изъято: исключить его из списка под новым ключом списка, который получат все остальные устройства; правозащитники затем сменят ключи доставки.",
        "Reply although the defender's device is reported lost or seized (whoever holds it may read it).":
            "Ответить, хотя устройство правозащитника утеряно или изъято (ответ может прочитать тот, у кого оно сейчас).",
        "`seized` to report the defender's device lost or seized (the administrator's device also freezes its mailbox); `link` to continue the case with the defender's new device; nothing to show the case.":
            "`seized` — сообщить, что устройство правозащитника утеряно или изъято (устройство администратора также замораживает его почтовый ящик); `link` — продолжить дело с новым устройством правозащитника; без действия — показать дело.",
        "With `link`: the new device's case (its id, a unique prefix or alias), verified first.":
            "Для `link`: дело нового устройства (идентификатор, уникальное начало или псевдоним); сначала сверьте коды безопасности.",
        "With `seized`: since when the device is out of the defender's hands (YYYY-MM-DD, DD.MM.YYYY or YYYY-MM-DDTHH:MM in UTC; default now).":
            "Для `seized`: с какого момента устройство не у правозащитника (ГГГГ-ММ-ДД, ДД.ММ.ГГГГ или «ГГГГ-ММ-ДД ЧЧ:ММ», время всемирное; по умолчанию — сейчас).",
        "With `seized`: only shut the device out; do not ask it to erase itself.":
            "Для `seized`: только отключить устройство, не просить его стереть себя.",
        "With `seized`: do not ask for confirmation.": "Для `seized`: не спрашивать подтверждения.",
        "Find messages, attachment names, notes and labels containing all the words.":
            "Найти сообщения, имена вложений, заметки и метки, в которых есть все слова.",
        "Give a case an alias the other experts see too (every command accepts it), or --clear it.":
            "Дать делу псевдоним, который видят и другие эксперты (его понимает любая команда), или (с --clear) убрать его.",
        "Instead of digits: the text of the QR code the other device shows (amanat://safety/…).":
            "Вместо цифр: текст QR-кода, который показывает другое устройство (`amanat://safety/…`).",
        "Labels (1-64 bytes each).": "Метки (каждая от 1 до 64 байт).",
        "List the expert devices on the roster, with the safety number to compare with each in person.":
            "Устройства экспертов в списке организации, с кодом безопасности, чтобы сверить его с каждым при встрече.",
        "Make a single-use invite for a defender or a new expert device.":
            "Создать одноразовое приглашение для правозащитника или нового устройства эксперта.",
        "Mark a case's defender verified after comparing safety numbers with them (see `case`).":
            "Отметить правозащитника по делу проверенным после сверки кодов безопасности (см. `case`).",
        "Mark a colleague's device verified after comparing safety numbers with them.":
            "Отметить устройство коллеги проверенным после сверки кодов безопасности.",
        "Needs no profile. Exit 0 when every check holds, 65 when one fails.":
            "Профиль не нужен. Код выхода 0, если все проверки пройдены, 65 — если хотя бы одна не пройдена.",
        "One line per defender: triage state, messages, unread, latest.":
            "По строке на правозащитника: состояние разбора, сообщения, непрочитанные, последнее.",
        "Only cases assigned to this expert (a roster name, `me` or `nobody`).":
            "Только дела, порученные этому эксперту (имя из списка, `me` или `nobody`).",
        "Only cases past their due date and not resolved or closed.":
            "Только просроченные дела, которые не решены и не закрыты.",
        "Only cases with this label.": "Только дела с этой меткой.",
        "Only cases with this status: new, in-progress, waiting, resolved, closed.":
            "Только дела с этим статусом: `new`, `in-progress`, `waiting`, `resolved`, `closed`.",
        "Open the inbox in a browser: a local web UI on 127.0.0.1 only, until Ctrl-C.":
            "Открыть входящие в браузере: локальный веб-интерфейс только на 127.0.0.1, до Ctrl-C.",
        "Order: latest (newest message first), priority (most urgent first), due (soonest first).":
            "Порядок: `latest` (сначала новые сообщения), `priority` (сначала срочные), `due` (сначала ближайший срок).",
        "Port on 127.0.0.1 (default 8788; 0 picks a free one).":
            "Порт на 127.0.0.1 (по умолчанию 8788; 0 — любой свободный).",
        "Print this device's card for the administrator.": "Вывести карточку этого устройства для администратора.",
        "Prints a login link with a random one-time token: open it in a browser on this machine. The link works once; a new `serve` makes a new one. Nothing listens beyond 127.0.0.1.":
            "Выводит ссылку для входа со случайным одноразовым кодом: откройте её в браузере на этом компьютере. Ссылка работает один раз; при новом запуске `serve` выдаётся новая. Подключения принимаются только с 127.0.0.1.",
        "Put an expert device on the roster, by the card it printed.":
            "Добавить устройство эксперта в список организации по выведенной им карточке.",
        "Send what is queued and fetch what has arrived.": "Отправить то, что ждёт отправки, и получить пришедшее.",
        "Set a case's due date (YYYY-MM-DD or DD.MM.YYYY) or `none`.":
            "Задать срок по делу (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ) или `none`.",
        "Set a case's status (new, in-progress, waiting, resolved, closed) or priority (low, normal, high, urgent).":
            "Задать статус дела (`new`, `in-progress`, `waiting`, `resolved`, `closed`) или приоритет (`low`, `normal`, `high`, `urgent`).",
        "Sync with the relay this often, in seconds, while serving (0: only when asked).":
            "Как часто, в секундах, синхронизироваться с ретранслятором во время работы (0 — только по запросу).",
        "Take an expert device off the roster.": "Убрать устройство эксперта из списка организации.",
        "Take the alias off instead.": "Вместо этого убрать псевдоним.",
        "Take the labels off instead.": "Вместо этого снять метки.",
        "The 60 digits the other device shows (spaces allowed).":
            "60 цифр, которые показывает другое устройство (можно с пробелами).",
        "The alias (1-64 bytes).": "Псевдоним (от 1 до 64 байт).",
        "The attachment id from `amanat-inbox case` (message id, a dash, its number).":
            "Идентификатор вложения из `amanat-inbox case` (идентификатор сообщения, дефис, порядковый номер вложения).",
        "The bundle file.": "Файл пакета.",
        "The bundle holds the case in clear (that is its purpose): keep it encrypted, and share it only with whom the defender agreed. Anyone can check it with `amanat-inbox verify-bundle`.":
            "Пакет содержит дело в открытом виде (в этом его смысл): храните его зашифрованным и передавайте только тем, кому правозащитник разрешил его передать. Проверить его может любой: `amanat-inbox verify-bundle`.",
        "The card (amanat://card/…) the expert's `amanat-inbox enroll` printed.":
            "Карточка (`amanat://card/…`), которую вывел `amanat-inbox enroll` у эксперта.",
        "The case: its id as `amanat-inbox cases` shows it (or any unique prefix of 4 or more characters), or its alias.":
            "Дело: его идентификатор, как его показывает `amanat-inbox cases` (или любое однозначное начало не короче 4 символов), или его псевдоним.",
        "The expert's name as defenders see it.": "Имя эксперта, как его видят правозащитники.",
        "The expert's name on the roster (`amanat-inbox org devices`).":
            "Имя эксперта в списке организации (`amanat-inbox org devices`).",
        "The expert's name on the roster.": "Имя эксперта в списке организации.",
        "The invite text, or a file holding it.": "Текст приглашения или файл с ним.",
        "The new value.": "Новое значение.",
        "The note.": "Заметка.",
        "The organisation root public key, base64url, to require (write --organisation-root=KEY).":
            "Открытый корневой ключ организации в base64url, который должен совпасть (пишите `--organisation-root=КЛЮЧ`).",
        "The organisation: root key, relay, invites, experts.":
            "Организация: корневой ключ, ретранслятор, приглашения, эксперты.",
        "The relay's TLS pin (sha256//…) when it uses its own certificate.":
            "Пин TLS ретранслятора (`sha256//…`), если у него собственный сертификат.",
        "The relay's address: https://…, or http://….onion.":
            "Адрес ретранслятора: `https://…` или `http://….onion`.",
        "The text of the reply.": "Текст ответа.",
        "This expert's name as defenders see it.": "Имя этого эксперта, как его видят правозащитники.",
        "Where to write it.": "Куда его записать.",
        "Where to write the bundle (default <case>.amanat-evidence).":
            "Куда записать пакет (по умолчанию `<дело>.amanat-evidence`).",
        "Words; every one must occur (any case; ё and е alike).":
            "Слова; должно встретиться каждое (регистр не важен; ё и е — одно и то же).",
        "Write the attachments into this directory after a successful check.":
            "После успешной проверки записать вложения в эту папку.",
        "YYYY-MM-DD, DD.MM.YYYY, or none.": "ГГГГ-ММ-ДД, ДД.ММ.ГГГГ или `none`.",
        "status or priority.": "`status` или `priority`.",
    ]
}
