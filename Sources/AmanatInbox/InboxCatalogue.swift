// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal

/// Every sentence `amanat-inbox` shows, by key, in each language (with the shared ones of
/// ``TerminalText``). `%@` marks are filled in order.
public enum InboxCatalogue {
    public static let english: [String: String] = TerminalText.english.merging(own: [
        "org.created":
            "Organisation created. Its root public key:\n%@\nStart the relay with it:\n  amanat-relay init --data <dir> --organisation-root=%@\nthen run `amanat-inbox org connect --relay <url>`.",
        "org.connected": "Connected to %@ as %@. Experts on the roster: %@.",
        "org.invite": "%@",
        "org.expert-added": "%@ is on the roster now (version %@).",
        "org.expert-removed": "%@ is no longer on the roster (version %@).",
        "enrolled": "Enrolled with %@. Give this card to the organisation's administrator:\n%@",
        "card": "%@",
        "synced": "Sync done: %@ new, %@ sent, %@ still queued.",
        "synced.undecryptable": "%@ message(s) could not be decrypted and were dropped.",
        "cases.empty": "No cases yet.",
        "cases.line": "%@  [%@, %@]  assigned: %@  labels: %@  due: %@  %@ message(s), %@ unread, last %@",
        "case.triage": "Triage: %@, priority %@, assigned to %@, labels: %@, due: %@",
        "case.note": "  note %@ by %@: %@",
        "case.event": "  %@ %@ %@",
        "triage.changed": "Case %@ updated; the other experts will see it.",
        "triage.queued": "Saved; the other experts will see it after `amanat-inbox sync`.",
        "triage.set-status": "set the status to %@",
        "triage.set-priority": "set the priority to %@",
        "triage.set-assignee": "assigned the case to %@",
        "triage.label-added": "added the label %@",
        "triage.label-removed": "removed the label %@",
        "triage.set-due": "set the due date to %@",
        "triage.note": "wrote a note: %@",
        "status.new": "new", "status.in-progress": "in progress", "status.waiting": "waiting on the defender",
        "status.resolved": "resolved", "status.closed": "closed",
        "priority.low": "low", "priority.normal": "normal", "priority.high": "high", "priority.urgent": "urgent",
        "nobody": "nobody", "none": "none", "former-expert": "a former expert",
        "error.triage-value": "%@ is not a valid value here; use one of: %@.",
        "exported":
            "Case %@ exported to %@: %@ message(s), %@ attachment(s). It holds the case in clear: keep it encrypted.",
        "bundle.verified":
            "Bundle verified: case %@, exported by %@; %@ message(s), %@ file(s), %@ relay receipt(s) and %@ triage event(s) checked.",
        "bundle.root": "Signed under the organisation root %@: compare it with the one your organisation published.",
        "bundle.malformed": "This is not an evidence bundle, or it is cut short or extended.",
        "bundle.invalid":
            "The bundle does not verify: %@ does not check. It was changed after export, or is not genuine.",
        "bundle.other-organisation": "The bundle was signed under another organisation's root key.",
        "error.invalid-root":
            "--organisation-root must be a 32-byte public key in base64url (write --organisation-root=KEY).",
        "error.export-unwritable": "%@ cannot be written.",
        "search.none": "Nothing found.",
        "search.hit": "%@  %@  %@",
        "case.in": "%@  %@  %@",
        "case.out": "%@  you, to %@  %@",
        "attachment": "  attachment %@: %@ (%@ bytes, %@)",
        "sent": "Sent. Message %@.",
        "queued": "Saved, but not sent yet: run `amanat-inbox sync` later.",
        "saved": "Saved to %@.",
        "error.unknown-case": "There is no case %@. See `amanat-inbox cases`.",
        "error.not-administrator": "This profile does not hold the organisation's root key.",
        "error.invalid-card": "That is not an expert's card (amanat://card/…).",
        "error.unknown-expert": "There is no expert %@ on the roster.",
    ])

    public static let russian: [String: String] = TerminalText.russian.merging(own: [
        "org.created":
            "Организация создана. Её корневой открытый ключ:\n%@\nЗапустите ретранслятор с ним:\n  amanat-relay init --data <каталог> --organisation-root=%@\nзатем выполните `amanat-inbox org connect --relay <адрес>`.",
        "org.connected": "Подключено к %@ как %@. Экспертов в списке: %@.",
        "org.invite": "%@",
        "org.expert-added": "%@ теперь в списке экспертов (версия %@).",
        "org.expert-removed": "%@ больше нет в списке экспертов (версия %@).",
        "enrolled": "Регистрация на %@ выполнена. Передайте эту карточку администратору организации:\n%@",
        "card": "%@",
        "synced": "Синхронизация завершена: новых %@, отправлено %@, ждут отправки %@.",
        "synced.undecryptable": "Не удалось расшифровать сообщений: %@; они удалены.",
        "cases.empty": "Дел пока нет.",
        "cases.line":
            "%@  [%@, %@]  ответственный: %@  метки: %@  срок: %@  сообщений: %@, не прочитано: %@, последнее %@",
        "case.triage": "Разбор: %@, приоритет %@, ответственный %@, метки: %@, срок: %@",
        "case.note": "  заметка %@, %@: %@",
        "case.event": "  %@ %@ %@",
        "triage.changed": "Дело %@ обновлено; другие эксперты это увидят.",
        "triage.queued": "Сохранено; другие эксперты увидят это после `amanat-inbox sync`.",
        "triage.set-status": "изменил(а) статус на «%@»",
        "triage.set-priority": "изменил(а) приоритет на «%@»",
        "triage.set-assignee": "назначил(а) ответственным: %@",
        "triage.label-added": "добавил(а) метку %@",
        "triage.label-removed": "снял(а) метку %@",
        "triage.set-due": "установил(а) срок %@",
        "triage.note": "написал(а) заметку: %@",
        "status.new": "новое", "status.in-progress": "в работе", "status.waiting": "ждём ответа защитника",
        "status.resolved": "решено", "status.closed": "закрыто",
        "priority.low": "низкий", "priority.normal": "обычный", "priority.high": "высокий",
        "priority.urgent": "срочный",
        "nobody": "никто", "none": "нет", "former-expert": "бывший эксперт",
        "error.triage-value": "%@ здесь не подходит; допустимо: %@.",
        "exported":
            "Дело %@ выгружено в %@: сообщений %@, вложений %@. Файл содержит дело в открытом виде: храните его зашифрованным.",
        "bundle.verified":
            "Пакет проверен: дело %@, выгрузил(а) %@; проверено сообщений %@, файлов %@, квитанций ретранслятора %@, событий разбора %@.",
        "bundle.root": "Подписан под корневым ключом организации %@: сверьте его с опубликованным вашей организацией.",
        "bundle.malformed": "Это не пакет доказательств, или он обрезан либо дополнен.",
        "bundle.invalid": "Пакет не прошёл проверку: не сходится %@. Его изменили после выгрузки, или он не подлинный.",
        "bundle.other-organisation": "Пакет подписан под корневым ключом другой организации.",
        "error.invalid-root":
            "--organisation-root должен быть 32-байтовым открытым ключом в base64url (пишите --organisation-root=КЛЮЧ).",
        "error.export-unwritable": "Нельзя записать %@.",
        "search.none": "Ничего не найдено.",
        "search.hit": "%@  %@  %@",
        "case.in": "%@  %@  %@",
        "case.out": "%@  вы, для %@  %@",
        "attachment": "  вложение %@: %@ (%@ байт, %@)",
        "sent": "Отправлено. Сообщение %@.",
        "queued": "Сохранено, но ещё не отправлено: запустите `amanat-inbox sync` позже.",
        "saved": "Сохранено в %@.",
        "error.unknown-case": "Дела %@ нет. См. `amanat-inbox cases`.",
        "error.not-administrator": "В этом профиле нет корневого ключа организации.",
        "error.invalid-card": "Это не карточка эксперта (amanat://card/…).",
        "error.unknown-expert": "Эксперта %@ в списке нет.",
    ])

    /// The sentence `key` in `language`, with `arguments` in its marks.
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        fill((language == .russian ? russian : english)[key] ?? english[key] ?? key, arguments)
    }
}
