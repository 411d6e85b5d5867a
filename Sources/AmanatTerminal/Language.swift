// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// The languages the terminal tools speak. English and Russian are complete; Kazakh, Kyrgyz,
/// Tajik, Turkmen and Uzbek have their place in every catalogue (``TerminalText/planned``,
/// each tool's own) but no sentences yet: a sentence missing in a language is said in its
/// ``fallback`` (Russian, which the region reads, then English), so a translator can add them one
/// by one and every command keeps working meanwhile. A test checks that what a planned catalogue
/// holds has the keys and marks of the English one.
public enum Language: String, Sendable, CaseIterable {
    case english = "en"
    case russian = "ru"
    case kazakh = "kk"
    case kyrgyz = "ky"
    case tajik = "tg"
    case turkmen = "tk"
    case uzbek = "uz"

    /// The languages whose every sentence is written.
    public static let complete: [Language] = [.english, .russian]

    /// The language said when a sentence is missing in this one (nil for English, the last).
    public var fallback: Language? {
        switch self {
        case .english: nil
        case .russian: .english
        case .kazakh, .kyrgyz, .tajik, .turkmen, .uzbek: .russian
        }
    }

    /// This language, then its fallbacks in order.
    public var chain: [Language] {
        var languages = [self]
        while let next = languages.last?.fallback { languages.append(next) }
        return languages
    }

    /// Whether dates are written day first (`03.12.2026`), as in Russia and Central Asia.
    public var writesDayFirst: Bool { self != .english }

    /// The locale for dates and zone names.
    var localeIdentifier: String {
        switch self {
        case .english: "en_GB"
        case .russian: "ru_RU"
        case .kazakh: "kk_KZ"
        case .kyrgyz: "ky_KG"
        case .tajik: "tg_TJ"
        case .turkmen: "tk_TM"
        case .uzbek: "uz_UZ"
        }
    }

    /// Where a tool puts the language stored in the profile once it is open, so that everything it
    /// says afterwards (errors included) uses it.
    public static let profileLanguageVariable = "AMANAT_PROFILE_LANGUAGE"

    /// `--lang` if given, else the profile's stored choice, else the first of `LC_ALL`,
    /// `LC_MESSAGES`, `LANG` that names one we have, else English.
    public static func choose(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Language
    {
        let chosen = environment[profileLanguageVariable]
        for candidate in [flag, chosen, environment["LC_ALL"], environment["LC_MESSAGES"], environment["LANG"]] {
            guard let candidate, !candidate.isEmpty else { continue }
            if candidate == "C" || candidate == "POSIX" { return .english }
            let code = candidate.lowercased().prefix(2)
            if let language = Language(rawValue: String(code)) { return language }
        }
        return .english
    }

    /// The sentence `key` in the first language of ``chain`` that has it, from `catalogues`.
    public func lookUp(_ key: String, in catalogues: [Language: [String: String]]) -> String? {
        for language in chain {
            if let sentence = catalogues[language]?[key] { return sentence }
        }
        return nil
    }
}

/// The sentences every terminal tool shares (passphrases, wiping), in each language; each tool's
/// catalogue adds its own with ``Swift/Dictionary/merging(own:)``.
public enum TerminalText {
    public static let english: [String: String] = [
        "shell.unlocked":
            "Unlocked. Type commands without the tool's name (`help` lists them); `lock` locks now, `exit` or Ctrl-D leaves. Locks by itself after %@ without input.",
        "shell.locked-idle": "Locked after %@ without input. Give the passphrase to go on, or Ctrl-D to leave.",
        "shell.locked": "Locked. Give the passphrase to go on, or Ctrl-D to leave.",
        "shell.bye": "Locked. Goodbye.",
        "shell.quotes": "A quote is not closed. Nothing was run.",
        "shell.refused": "`%@` cannot be used inside the shell. Leave it (`exit`) and run it on its own.",
        "error.lock-after": "--lock-after takes a time such as `90s`, `5m` or `1h` (between 1 second and 24 hours).",
        "wipe.confirm":
            "This destroys this profile for good: keys, messages, attachments. Files saved out of it with `save` stay where they were saved. Type %@ to continue: ",
        "wipe.word": "YES",
        "wipe.done": "The profile is gone. Files saved out of it with `save` are not: delete them yourself.",
        "wipe.cancelled": "Nothing was deleted.",
        "passphrase.prompt": "Passphrase: ",
        "passphrase.new": "New passphrase: ",
        "passphrase.repeat": "Repeat the new passphrase: ",
        "passphrase.duress": "Duress passphrase (opens an empty decoy profile): ",
        "passphrase.changed": "The passphrase is changed.",
        "passphrase.duress-set": "The duress passphrase is set.",
        "error.passphrase-mismatch": "The two passphrases differ. Nothing was changed.",
        "error.passphrase-empty": "The passphrase is empty. Choose one of at least 8 characters.",
        "error.no-terminal": "There is no terminal to ask for the passphrase. Use --passphrase-fd N.",
        "error.wrong-passphrase": "The passphrase is wrong. Try again; nothing was changed.",
        "error.wrong-passphrase-final":
            "Three wrong passphrases. Nothing was opened or changed; run the command again when you have the right one.",
        "error.no-profile": "There is no profile at %@. Enrol first (`enroll <invite>`).",
        "error.profile-exists": "A profile exists at %@ already. Use another --profile, or wipe this one.",
        "error.corrupted": "The profile's files are damaged. Restore them from a backup or enrol again.",
        "error.unwritable": "The profile cannot be written (permissions or a full disk).",
        "error.invalid-invite":
            "This invite does not check out: a character may have been changed or lost when it was copied. Nothing was sent and it is not used up: copy it again exactly, and compare its check code with the one you were given; if it still fails, ask the organisation for a new one.",
        "error.used-invite": "This invite was already used. Ask the organisation for a new one.",
        "error.not-a-file":
            "%@ is not a regular file (it is a folder, a device or a pipe): only files can be attached.",
        "error.pin-without-relay": "--pin goes with --relay: give the relay's new address with its pin.",
        "error.safety-needed": "Give the 60 digits with --digits, or the scanned QR code's text with --scan.",
        "invite.checked": "Invite checked; its check code is %@: it must match the one the organisation gave you.",
        "error.old-invite": "This invite comes from an older version of Amanat. Ask the organisation for a new one.",
        "error.expired-invite": "The invite has expired. Ask the organisation for a new one.",
        "file.pending": "not downloaded yet", "file.stored": "stored", "file.damaged": "damaged",
        "file.gone": "gone from the relay",
        "error.relay-address":
            "Write the relay's address in full, with https:// in front, as the organisation gave it (for example https://relay.example.org); http:// only for a .onion address or this computer.",
        "error.unreachable": "The relay cannot be reached. Check the network or Tor, then run `amanat sync`.",
        "error.case-seized":
            "This defender's device is reported lost or seized: whoever holds it may read the reply. Add --despite-seizure to send it anyway.",
        "error.device-seized":
            "The organisation has closed this device's mailbox because it was reported lost or seized. Nothing more can be received here; ask the organisation for a new invite and enrol a new profile.",
        "error.proxy": "The proxy (Tor) cannot be reached. Is Tor running? Check `amanat config`.",
        "error.onion-needs-tor":
            "The relay's address is a .onion address, which only Tor reaches: add `--tor auto` (amanat runs Tor) or `--proxy socks5h://127.0.0.1:9050` (your Tor). Nothing was sent.",
        "error.tor":
            "Tor could not connect to its network (it got to %@ %). Nothing was sent, and nothing went around Tor. If Tor is blocked where you are, ask your organisation for a bridge and add it with `--bridge`.",
        "error.pin":
            "The relay's key does not match the invite: the connection may be intercepted. Do not continue; tell the organisation.",
        "error.tls": "The secure connection to the relay failed.",
        "error.clock": "This device's clock is wrong by more than five minutes. Set the right time and try again.",
        "error.rate-limited": "The relay asks to wait %@ seconds. Try again then.",
        "error.quota": "The relay's storage for this mailbox is full. Try again later.",
        "error.relay": "The relay refused the request (%@). Try again later; if it persists, tell the organisation.",
        "error.no-roster": "The organisation has not published its list of experts yet. Try `amanat sync` later.",
        "error.not-enrolled": "This profile is not enrolled. Enrol with `amanat enroll <invite>`.",
        "error.roster": "The list of experts from the relay is not signed by the organisation. Tell the organisation.",
        "error.too-large": "The message is too large. Send long texts or files as attachments.",
        "error.missing-file": "The file %@ does not exist.",
        "error.unreadable-file": "The file %@ cannot be read.",
        "error.unknown-message": "There is no message or attachment %@. See `amanat inbox`.",
        "error.attachment": "The attachment could not be saved: %@.",
        "error.damaged-image":
            "An image is damaged, so its metadata (GPS, camera) cannot be removed. Send it with --keep-original only if it must go as it is.",
        "error.uncleanable-document":
            "A PDF or office document can carry its author's name and edit history, and they cannot be removed here (install mat2: `sudo apt install mat2`; or the file is damaged). Send it with --keep-original only if it must go as it is.",
        "error.security": "A security check failed. Do not trust this conversation; tell the organisation.",
        "error.internal": "Something went wrong: %@.",
    ]

    public static let russian: [String: String] = [
        "shell.unlocked":
            "Профиль открыт. Вводите команды без имени программы (список — `help`); `lock` блокирует сразу, `exit` или Ctrl-D — выход. Профиль заблокируется сам после %@ бездействия.",
        "shell.locked-idle":
            "Профиль заблокирован после %@ бездействия. Введите парольную фразу, чтобы продолжить, или нажмите Ctrl-D, чтобы выйти.",
        "shell.locked":
            "Профиль заблокирован. Введите парольную фразу, чтобы продолжить, или нажмите Ctrl-D, чтобы выйти.",
        "shell.bye": "Профиль заблокирован. До свидания.",
        "shell.quotes": "Кавычка не закрыта. Ничего не выполнено.",
        "shell.refused": "Команду `%@` нельзя выполнить внутри оболочки. Выйдите (`exit`) и запустите её отдельно.",
        "error.lock-after":
            "--lock-after принимает время, например `90s`, `5m` или `1h` (от 1 секунды до 24 часов).",
        "wipe.confirm":
            "Профиль будет уничтожен навсегда: ключи, сообщения, вложения. Файлы, сохранённые из него командой `save`, останутся там, куда их сохранили. Чтобы продолжить, введите %@: ",
        "wipe.word": "ДА",
        "wipe.done": "Профиль уничтожен. Файлы, сохранённые из него командой `save`, не удалены: удалите их сами.",
        "wipe.cancelled": "Ничего не удалено.",
        "passphrase.prompt": "Парольная фраза: ",
        "passphrase.new": "Новая парольная фраза: ",
        "passphrase.repeat": "Повторите новую парольную фразу: ",
        "passphrase.duress": "Парольная фраза на случай принуждения (открывает пустой профиль-приманку): ",
        "passphrase.changed": "Парольная фраза изменена.",
        "passphrase.duress-set": "Парольная фраза на случай принуждения задана.",
        "error.passphrase-mismatch": "Парольные фразы не совпадают. Ничего не изменено.",
        "error.passphrase-empty": "Парольная фраза пуста. Выберите фразу не короче 8 символов.",
        "error.no-terminal": "Нет терминала, чтобы спросить парольную фразу. Используйте --passphrase-fd N.",
        "error.wrong-passphrase": "Неверная парольная фраза. Попробуйте ещё раз; ничего не изменено.",
        "error.wrong-passphrase-final":
            "Три неверные парольные фразы. Ничего не открыто и не изменено; запустите команду снова, когда будете знать верную.",
        "error.no-profile": "Профиля в %@ нет. Сначала зарегистрируйтесь (`enroll <приглашение>`).",
        "error.profile-exists": "Профиль в %@ уже есть. Укажите другой --profile или уничтожьте этот.",
        "error.corrupted": "Файлы профиля повреждены. Восстановите их из резервной копии или зарегистрируйтесь заново.",
        "error.unwritable": "Профиль нельзя записать (права доступа или заполненный диск).",
        "error.invalid-invite":
            "Приглашение не прошло проверку: при копировании мог измениться или потеряться символ. Ничего не отправлено, и приглашение не израсходовано: скопируйте его ещё раз точно и сверьте проверочный код с тем, что вам сообщили; если ошибка повторится, попросите у организации новое.",
        "error.used-invite": "Это приглашение уже использовано. Попросите у организации новое.",
        "error.not-a-file": "%@ — не обычный файл (папка, устройство или канал): прикрепить можно только файл.",
        "error.pin-without-relay": "--pin указывается вместе с --relay: задайте новый адрес ретранслятора и его пин.",
        "error.safety-needed": "Укажите 60 цифр через --digits или текст отсканированного QR-кода через --scan.",
        "invite.checked":
            "Приглашение проверено; его проверочный код %@ должен совпадать с тем, что вам сообщила организация.",
        "error.old-invite": "Это приглашение от старой версии Amanat. Попросите у организации новое.",
        "error.expired-invite": "Срок приглашения истёк. Попросите у организации новое.",
        "file.pending": "ещё не скачано", "file.stored": "получено", "file.damaged": "повреждено",
        "file.gone": "удалено с ретранслятора",
        "error.relay-address":
            "Укажите адрес ретранслятора полностью, с https:// в начале, как его дала организация (например, https://relay.example.org); http:// — только для адреса .onion или этого компьютера.",
        "error.unreachable": "Ретранслятор недоступен. Проверьте сеть или Tor и запустите `amanat sync`.",
        "error.case-seized":
            "Устройство этого правозащитника утеряно или изъято: ответ может прочитать тот, у кого оно сейчас. Чтобы всё же отправить, добавьте --despite-seizure.",
        "error.device-seized":
            "Организация закрыла почтовый ящик этого устройства: о нём сообщили как об утерянном или изъятом. Получать сообщения здесь больше нельзя; попросите у организации новое приглашение и создайте новый профиль.",
        "error.proxy": "Прокси (Tor) недоступен. Запущен ли Tor? Проверьте `amanat config`.",
        "error.onion-needs-tor":
            "Адрес ретранслятора — адрес .onion, до которого доходит только Tor: добавьте `--tor auto` (Tor запустит amanat) или `--proxy socks5h://127.0.0.1:9050` (ваш Tor). Ничего не отправлено.",
        "error.tor":
            "Tor не смог подключиться к своей сети (дошёл до %@ %). Ничего не отправлено, и ничего не ушло в обход Tor. Если Tor у вас заблокирован, попросите у организации мост и добавьте его через `--bridge`.",
        "error.pin":
            "Ключ ретранслятора не совпадает с приглашением: соединение может быть перехвачено. Не продолжайте; сообщите организации.",
        "error.tls": "Не удалось установить защищённое соединение с ретранслятором.",
        "error.clock": "Часы этого устройства ошибаются больше чем на пять минут. Установите точное время и повторите.",
        "error.rate-limited": "Ретранслятор просит подождать %@ с. Повторите позже.",
        "error.quota": "Хранилище этого почтового ящика на ретрансляторе заполнено. Повторите позже.",
        "error.relay": "Ретранслятор отклонил запрос (%@). Повторите позже; если не поможет, сообщите организации.",
        "error.no-roster": "Организация ещё не опубликовала список экспертов. Попробуйте `amanat sync` позже.",
        "error.not-enrolled": "Профиль не зарегистрирован. Зарегистрируйтесь: `amanat enroll <приглашение>`.",
        "error.roster": "Список экспертов с ретранслятора не подписан организацией. Сообщите организации.",
        "error.too-large": "Сообщение слишком длинное. Отправьте длинный текст или файлы вложением.",
        "error.missing-file": "Файла %@ не существует.",
        "error.unreadable-file": "Файл %@ нельзя прочитать.",
        "error.unknown-message": "Сообщения или вложения %@ нет. См. `amanat inbox`.",
        "error.attachment": "Не удалось сохранить вложение: %@.",
        "error.damaged-image":
            "Изображение повреждено, поэтому из него нельзя удалить метаданные (GPS, камера). Отправляйте с --keep-original, только если оно должно уйти как есть.",
        "error.uncleanable-document":
            "PDF или офисный документ может содержать имя автора и историю правок, а удалить их здесь нельзя (установите mat2: `sudo apt install mat2`; или файл повреждён). Отправляйте с --keep-original, только если он должен уйти как есть.",
        "error.security": "Проверка безопасности не пройдена. Не доверяйте этой переписке; сообщите организации.",
        "error.internal": "Что-то пошло не так: %@.",
    ]
}

extension TerminalText {
    /// The shared sentences of the languages not complete yet (see ``Language``): empty until a
    /// translator writes them.
    public static let planned: [Language: [String: String]] = [
        .kazakh: [:], .kyrgyz: [:], .tajik: [:], .turkmen: [:], .uzbek: [:],
    ]

    /// Every language's shared sentences.
    static let sentences = Sentences(english: english, russian: russian, planned: planned)

    /// A shared sentence in `language`, with `arguments` in its marks.
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        sentences.text(key, language, arguments)
    }
}

/// A tool's sentences in every language, as its catalogue looks them up: English and Russian
/// (each over the shared ones) and the planned languages, a missing key falling back as
/// ``Language/lookUp(_:in:)`` says. One lookup for the shared sentences and both tools' own.
public struct Sentences: Sendable {
    let byLanguage: [Language: [String: String]]

    public init(english: [String: String], russian: [String: String], planned: [Language: [String: String]]) {
        byLanguage = planned.merging([.english: english, .russian: russian], uniquingKeysWith: { $1 })
    }

    /// The sentence `key` in `language`, with `arguments` in its marks; the key itself if no
    /// language has it.
    public func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        fill(language.lookUp(key, in: byLanguage) ?? key, arguments)
    }
}

extension Dictionary where Key == String, Value == String {
    /// These sentences with `own` added (a tool's own key wins).
    public func merging(own: [String: String]) -> [String: String] {
        merging(own, uniquingKeysWith: { $1 })
    }
}

/// `template` with each `%@` replaced by the next of `arguments`.
public func fill(_ template: String, _ arguments: [String]) -> String {
    var text = template
    for argument in arguments {
        guard let mark = text.range(of: "%@") else { break }
        text.replaceSubrange(mark, with: argument)
    }
    return text
}
