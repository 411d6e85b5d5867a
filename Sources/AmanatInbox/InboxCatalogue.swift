// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal

/// Every sentence `amanat-inbox` shows, by key, in each language (with the shared ones of
/// ``TerminalText``). `%@` marks are filled in order.
public enum InboxCatalogue {
    public static let english: [String: String] = TerminalText.english.merging(own: [
        "org.created":
            "Organisation created. Its root public key:\n%@\nStart the relay with it:\n  amanat-relay init --data <dir> --organisation-root=%@\nthen run `amanat-inbox org connect --relay <url>`.",
        "org.connected": "Connected to %@ as %@. Experts on the roster: %@.",
        "org.invite-check":
            "Check code %@: say it to the person you give the invite to; it is printed when they enrol.",
        "org.invite": "%@",
        "org.address": "%@",
        "error.bridge":
            "A bridge line is what Tor's `Bridge` option takes (`obfs4 …` or `snowflake …`), on one line of at most 1024 characters; at most four.",
        "error.address":
            "%@ cannot be added: an address is https://…, or http://….onion, not one already known, and a relay has at most four.",
        "error.unknown-address": "%@ is not one of the relay's other addresses (see `amanat-inbox org addresses`).",
        "error.pin-without-address": "--pin goes with --add: the pin of the address you add.",
        "error.invalid-pin": "The pin must be sha256// followed by 44 base64 characters, as the relay prints it.",
        "org.expert-added":
            "%@ is on the roster now (version %@). The cases this device holds go to them with the next syncs.",
        "synced.history": "History of the cases from before this device joined: %@ item(s).",
        "org.expert-removed": "%@ is no longer on the roster (version %@).",
        "org.device-lost":
            "%@'s device is off the roster (version %@, under a new roster key) and can no longer read it. The new key is on its way to %@ devices; each defender's device changes its deposit key when it next syncs.",
        "org.device-lost.unreachable":
            "%@ devices could not be reached yet (no secure session, prekeys out of reach): they keep the old list of experts until they can be.",
        "error.device-ambiguous":
            "%@ has %@ devices on the roster, and this command cannot yet tell which one is lost.",
        "org.device.self": "%@  (this device)",
        "org.device": "%@  safety number %@  not verified",
        "org.device.verified": "%@  safety number %@  verified",
        "enrolled": "Enrolled with %@. Give this card to the organisation's administrator:\n%@",
        "card": "%@",
        "synced": "Sync done: %@ new, %@ sent, %@ still queued.",
        "synced.more": "More may be waiting on the relay: run `amanat-inbox sync` again.",
        "error.unreachable": "The relay cannot be reached. Check the network or Tor, then run `amanat-inbox sync`.",
        "error.case-seized":
            "This defender's device is reported lost or seized: whoever holds it may read the reply. Add --despite-seizure to send it anyway.",
        "error.device-seized":
            "The organisation has closed this device's mailbox because it was reported lost or seized. Ask the administrator for a new invite and enrol again.",
        "error.proxy": "The proxy (Tor) cannot be reached. Is Tor running? Check the --proxy you gave.",
        "error.no-roster":
            "The organisation has not published its roster yet: run `amanat-inbox org connect` on the administrator's device.",
        "error.not-enrolled": "This profile is not enrolled. Enrol with `amanat-inbox enroll <invite>`.",
        "error.unknown-message": "There is no message or attachment %@. See `amanat-inbox case <case>`.",
        "synced.undecryptable": "%@ message(s) could not be decrypted and were dropped.",
        "synced.triage": "%@ triage change(s) from other experts.",
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
        "bundle.newer-format":
            "This evidence bundle was made by a newer version of Amanat: verify it with an up-to-date `amanat-inbox verify-bundle`.",
        "bundle.invalid":
            "The bundle does not verify: %@ does not check. It was changed after export, or is not genuine.",
        "bundle.other-organisation": "The bundle was signed under another organisation's root key.",
        "bundle.part.signature": "the exporter's signature", "bundle.part.organisation-root": "the organisation root",
        "bundle.part.exporter-certificate": "the exporter's certificate", "bundle.part.defender": "the defender's key",
        "bundle.part.relay-key": "the relay's key", "bundle.part.unlisted-file": "a file no message lists",
        "bundle.part.triage-event": "a triage event", "bundle.part.attachment": "the attachment %@",
        "bundle.part.receipt": "the relay receipt of message %@",
        "error.invalid-root":
            "--organisation-root must be a 32-byte public key in base64url (write --organisation-root=KEY).",
        "error.export-unwritable": "%@ cannot be written.",
        "search.none": "Nothing found.",
        "search.hit": "%@  %@  %@",
        "serve.open":
            "The inbox is at 127.0.0.1 only. Open this link in a browser on this machine (it works once):\n%@\nCtrl-C stops it.",
        "error.port": "No free port on 127.0.0.1.",
        "error.port-in-use": "Port %@ on 127.0.0.1 is in use; choose another with --port (0 picks a free one).",
        "web.cases": "Cases", "web.roster": "Experts", "web.search": "Search", "web.sync": "Sync now",
        "web.all": "All", "web.any": "any", "web.status": "Status", "web.assignee": "Assigned to",
        "web.label": "Label", "web.labels": "Labels", "web.overdue": "overdue only", "web.filter": "Filter",
        "web.noCases": "No cases match.", "web.case": "Case", "web.priority": "Priority", "web.due": "Due",
        "web.messages": "Messages", "web.latest": "Latest", "web.unread": "unread", "web.triage": "Triage",
        "web.save": "Save", "web.nobody": "nobody", "web.remove": "Remove", "web.newLabel": "new label",
        "web.add": "Add", "web.timeline": "Timeline", "web.reply": "Reply to the defender",
        "web.attach": "Attach files", "web.send": "Send", "web.notes": "Internal notes (experts only)",
        "web.newNote": "a note for the other experts", "web.addNote": "Add note", "web.history": "History",
        "web.nothingFound": "Nothing found.", "web.name": "Name", "web.safetyNumber": "Safety number",
        "web.verified": "Verified", "web.thisDevice": "this device", "web.yes": "yes", "web.no": "no",
        "web.attachment": "Attachment", "web.you": "You", "web.alias": "Alias", "web.caseId": "Case id",
        "web.synced": "Synced: %@ new, %@ sent.", "web.changed": "Case %@ updated; the other experts will see it.",
        "web.sent": "Reply sent.",
        "web.sortBy": "Order", "web.sort.latest": "latest first", "web.sort.unread": "unread first",
        "web.sort.priority": "most urgent first", "web.sort.due": "soonest due first", "web.markRead": "Mark as read",
        "web.new": "new", "web.no-file": "There is no such file in this case.",
        "web.suspect": "Sent after the device was reported seized: someone else may have written this.",
        "web.despiteSeizure": "Send although the device is reported seized (whoever holds it may read it)",
        "web.seizure": "Device lost or seized",
        "web.seized":
            "⚠ The defender's device is reported lost or seized since %@: messages sent after that may come from someone else, and a reply needs the box under the reply form.",
        "web.seizedSince": "Out of the defender's hands since (UTC; empty: now)",
        "web.noWipe": "Only shut the device out; do not ask it to erase itself",
        "web.reportSeized": "Report the device seized",
        "web.seizure-explained":
            "Every expert will see the case flagged. From the administrator's device the relay also freezes the defender's mailbox: replies waiting there are deleted, and the device erases itself when it next connects if the defender allowed that.",
        "web.seizure-confirm": "To confirm, type the case id %@:",
        "web.seizure-unconfirmed": "Nothing was reported: the case id typed did not match.",
        "web.not-viewable": "%@ cannot be shown here; save it with `amanat-inbox save`.",
        "web.login-used":
            "This login link is not valid or was used already. Stop and start `amanat-inbox serve` for a new one.",
        "web.login-needed": "Log in with the link `amanat-inbox serve` printed in the terminal.",
        "web.csrf": "This form is out of date or did not come from this page. Reload the page and try again.",
        "web.bad-form": "The form could not be read.", "web.bad-value": "That value is not valid here.",
        "case.in": "%@  %@  %@",
        "case.in.suspect":
            "%@  %@  ⚠ SENT AFTER THE DEVICE WAS REPORTED SEIZED: someone else may have written this.  %@",
        "case.seized": "⚠ The defender's device is reported lost or seized since %@. Replies need --despite-seizure.",
        "seized.mark": "DEVICE SEIZED",
        "seized.confirm":
            "Report the device of %@ lost or seized since %@? Replies waiting for it are deleted and it may erase itself. Type the case id %@ to confirm: ",
        "seized.cancelled": "Nothing was reported.",
        "seized.reported":
            "Case %@: the defender's device is reported lost or seized since %@; every expert sees the case flagged.",
        "seized.frozen":
            "The relay has frozen the mailbox of case %@: what waited there is deleted, and the device erases itself when it next connects if the defender allowed that.",
        "seized.frozen.no-wipe":
            "The relay has frozen the mailbox of case %@: what waited there is deleted and the device is shut out.",
        "seized.not-frozen":
            "Only the administrator can freeze the mailbox: ask them to run `amanat-inbox case %@ seized` as soon as possible.",
        "error.seized-since":
            "Cannot read the time %@: give YYYY-MM-DD, DD.MM.YYYY or YYYY-MM-DDTHH:MM (UTC), not in the future.",
        "error.case-action": "Unknown action %@: use `seized` or `link`.",
        "error.link-target": "`link` needs the new device's case after it, and only `link` takes one.",
        "error.link-same": "Case %@ cannot continue with itself.",
        "error.link-merged": "Case %@ already continues other devices; link the case it belongs to.",
        "error.link-unverified":
            "Compare safety numbers with the defender's new device first (`amanat-inbox verify %@`): whoever holds the old device could have enrolled this one.",
        "linked": "Case %@ now continues with the defender's new device (was %@); every expert sees one case.",
        "error.reply-refused":
            "The relay refused the reply: the mailbox of case %@ is closed (its device was reported seized). It stays in the case, not delivered.",
        "case.out": "%@  you, to %@ (%@)  %@",
        "case.team": "%@  %@, to %@ (%@)  %@",
        "delivery.refused": "refused by the relay (the mailbox is closed)",
        "delivery.queued": "waiting to send", "delivery.submitted": "on the relay",
        "delivery.delivered": "delivered", "delivery.read": "read",
        "synced.team": "Replies from other experts to defenders: %@.",
        "attachment": "  attachment %@: %@ (%@ bytes, %@)",
        "queued": "Saved, but not sent yet: run `amanat-inbox sync` later.",
        "saved": "Saved to %@.",
        "error.unknown-case": "There is no case %@. See `amanat-inbox cases`.",
        "error.ambiguous-case":
            "%@ fits more than one case: %@. Type more of the id, or use the case's alias.",
        "error.alias-taken": "The alias %@ could be mistaken for case %@; choose another.",
        "error.short-case-id": "%@ is too short to name a case: type at least %@ characters of its id, or its alias.",
        "case.title": "Case %@ (id %@)",
        "case.safety":
            "Safety number with this defender (%@): %@\nCompare it with what `amanat experts` shows them for you, in person or by a call you trust; then `amanat-inbox verify <case> --digits …`.",
        "case.safety.verified": "Safety number with this defender (verified): %@",
        "safety.unverified": "not verified",
        "verified.mark": "verified",
        "verified.case": "Case %@ is marked verified.",
        "verified.device": "%@ is marked verified.",
        "error.case-safety-mismatch":
            "The digits do not match the safety number of case %@. Do not answer until you have checked with the defender another way: someone may be in between.",
        "error.device-safety-mismatch":
            "The digits do not match %@'s safety number. Do not trust this device until you have checked with the organisation.",
        "sent.reply": "Sent to case %@. Message %@.",
        "triage.set-alias": "named the case %@",
        "triage.seized": "reported the defender's device lost or seized since %@",
        "triage.seized-withdrawn": "withdrew the report that the defender's device was seized",
        "triage.linked": "linked the defender's new device %@ to the case",
        "triage.unlinked": "unlinked the device %@ from the case",
        "synced.not-permitted": "%@ message(s) came from someone not allowed to send them here and were dropped.",
        "notice.undecryptable":
            "A message from the defender of case %@ could not be decrypted. A new secure session has been started; ask them to send it again.",
        "notice.session-reset":
            "The defender of case %@ restarted the secure session. Replies sent just before may not have arrived; send them again if in doubt.",
        "error.not-administrator": "This profile does not hold the organisation's root key.",
        "error.invalid-card": "That is not an expert's card (amanat://card/…).",
        "error.unknown-expert": "There is no expert %@ on the roster.",
    ])

    public static let russian: [String: String] = TerminalText.russian.merging(own: [
        "org.created":
            "Организация создана. Её корневой открытый ключ:\n%@\nЗапустите ретранслятор с ним:\n  amanat-relay init --data <каталог> --organisation-root=%@\nзатем выполните `amanat-inbox org connect --relay <адрес>`.",
        "org.connected": "Подключено к %@ как %@. Экспертов в списке: %@.",
        "org.invite-check":
            "Проверочный код %@: сообщите его тому, кому передаёте приглашение; он будет показан при регистрации.",
        "org.invite": "%@",
        "org.address": "%@",
        "error.bridge":
            "Строка моста — то, что принимает параметр `Bridge` у Tor (`obfs4 …` или `snowflake …`), одной строкой не длиннее 1024 символов; не больше четырёх.",
        "error.address":
            "Нельзя добавить %@: адрес — это https://… или http://….onion, ещё не известный, и у ретранслятора не больше четырёх адресов.",
        "error.unknown-address": "%@ — не один из других адресов ретранслятора (см. `amanat-inbox org addresses`).",
        "error.pin-without-address": "--pin указывается вместе с --add: пин добавляемого адреса.",
        "error.invalid-pin": "Пин — это sha256// и 44 символа base64, как его выводит ретранслятор.",
        "org.expert-added":
            "%@ теперь в списке экспертов (версия %@). Дела, которые есть на этом устройстве, будут переданы этому эксперту при следующих синхронизациях.",
        "synced.history": "Получена история дел за время до подключения этого устройства, записей: %@.",
        "org.expert-removed": "%@ больше нет в списке экспертов (версия %@).",
        "org.device-lost":
            "Устройство %@ исключено из списка экспертов (версия %@, под новым ключом списка) и больше не может его прочитать. Новый ключ отправлен на %@ устройств; устройство каждого правозащитника сменит ключ доставки при следующей синхронизации.",
        "org.device-lost.unreachable":
            "До %@ устройств пока не удалось достучаться (нет защищённого сеанса или ключей): у них остаётся старый список экспертов.",
        "error.device-ambiguous":
            "У %@ в списке %@ устройства, и эта команда пока не может определить, какое из них утеряно.",
        "org.device.self": "%@  (это устройство)",
        "org.device": "%@  код безопасности %@  не проверен",
        "org.device.verified": "%@  код безопасности %@  проверен",
        "enrolled": "Регистрация на %@ выполнена. Передайте эту карточку администратору организации:\n%@",
        "card": "%@",
        "synced": "Синхронизация завершена: новых — %@, отправлено — %@, в очереди — %@.",
        "synced.more": "На ретрансляторе может ждать ещё: снова запустите `amanat-inbox sync`.",
        "error.unreachable": "Ретранслятор недоступен. Проверьте сеть или Tor и запустите `amanat-inbox sync`.",
        "error.case-seized":
            "Устройство этого правозащитника утеряно или изъято: ответ может прочитать тот, у кого оно сейчас. Чтобы всё же отправить, добавьте --despite-seizure.",
        "error.device-seized":
            "Организация закрыла почтовый ящик этого устройства: о нём сообщили как об утерянном или изъятом. Попросите у администратора новое приглашение и подключитесь снова.",
        "error.proxy": "Прокси (Tor) недоступен. Запущен ли Tor? Проверьте указанный --proxy.",
        "error.no-roster":
            "Организация ещё не опубликовала список экспертов: выполните `amanat-inbox org connect` на устройстве администратора.",
        "error.not-enrolled": "Профиль не зарегистрирован. Зарегистрируйтесь: `amanat-inbox enroll <приглашение>`.",
        "error.unknown-message": "Сообщения или вложения %@ нет. См. `amanat-inbox case <дело>`.",
        "synced.undecryptable": "Удалено сообщений, которые не удалось расшифровать: %@.",
        "synced.triage": "Изменений разбора от других экспертов: %@.",
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
        "status.new": "новое", "status.in-progress": "в работе", "status.waiting": "ждём ответа правозащитника",
        "status.resolved": "решено", "status.closed": "закрыто",
        "priority.low": "низкий", "priority.normal": "обычный", "priority.high": "высокий",
        "priority.urgent": "срочный",
        "nobody": "никто", "none": "нет", "former-expert": "бывший эксперт",
        "error.triage-value": "%@ здесь не подходит; допустимо: %@.",
        "exported":
            "Дело %@ выгружено в %@: сообщений — %@, вложений — %@. Файл содержит дело в открытом виде: храните его зашифрованным.",
        "bundle.verified":
            "Пакет проверен: дело %@, выгрузил(а) %@. Проверено: сообщений — %@, файлов — %@, квитанций ретранслятора — %@, событий разбора — %@.",
        "bundle.root":
            "Пакет подписан корневым ключом организации %@: сверьте его с ключом, который опубликовала ваша организация.",
        "bundle.malformed": "Это не пакет доказательств, или он обрезан либо дополнен.",
        "bundle.newer-format":
            "Этот пакет доказательств сделан более новой версией Amanat: проверьте его обновлённым `amanat-inbox verify-bundle`.",
        "bundle.invalid": "Пакет не прошёл проверку: не сходится %@. Его изменили после выгрузки, или он не подлинный.",
        "bundle.part.signature": "подпись выгрузившего", "bundle.part.organisation-root": "корневой ключ организации",
        "bundle.part.exporter-certificate": "сертификат выгрузившего", "bundle.part.defender": "ключ правозащитника",
        "bundle.part.relay-key": "ключ ретранслятора", "bundle.part.unlisted-file": "файл, которого нет в списке",
        "bundle.part.triage-event": "событие разбора", "bundle.part.attachment": "вложение %@",
        "bundle.part.receipt": "квитанция ретранслятора для сообщения %@",
        "bundle.other-organisation": "Пакет подписан корневым ключом другой организации.",
        "error.invalid-root":
            "--organisation-root должен быть 32-байтовым открытым ключом в base64url (пишите --organisation-root=КЛЮЧ).",
        "error.export-unwritable": "Нельзя записать %@.",
        "search.none": "Ничего не найдено.",
        "search.hit": "%@  %@  %@",
        "serve.open":
            "Входящие доступны только по адресу 127.0.0.1. Откройте эту ссылку в браузере на этом компьютере (она сработает один раз):\n%@\nCtrl-C — остановить.",
        "error.port": "На 127.0.0.1 нет свободного порта.",
        "error.port-in-use": "Порт %@ на 127.0.0.1 занят; укажите другой через --port (0 — выбрать свободный).",
        "web.cases": "Дела", "web.roster": "Эксперты", "web.search": "Поиск", "web.sync": "Синхронизировать",
        "web.all": "Все", "web.any": "любой", "web.status": "Статус", "web.assignee": "Ответственный",
        "web.label": "Метка", "web.labels": "Метки", "web.overdue": "только просроченные", "web.filter": "Показать",
        "web.noCases": "Подходящих дел нет.", "web.case": "Дело", "web.priority": "Приоритет", "web.due": "Срок",
        "web.messages": "Сообщения", "web.latest": "Последнее", "web.unread": "не прочитано", "web.triage": "Разбор",
        "web.save": "Сохранить", "web.nobody": "никто", "web.remove": "Снять", "web.newLabel": "новая метка",
        "web.add": "Добавить", "web.timeline": "Переписка", "web.reply": "Ответ правозащитнику",
        "web.attach": "Приложить файлы", "web.send": "Отправить",
        "web.notes": "Внутренние заметки (видят только эксперты)",
        "web.newNote": "заметка для других экспертов", "web.addNote": "Добавить заметку", "web.history": "История",
        "web.nothingFound": "Ничего не найдено.", "web.name": "Имя", "web.safetyNumber": "Код безопасности",
        "web.verified": "Проверен", "web.thisDevice": "это устройство", "web.yes": "да", "web.no": "нет",
        "web.attachment": "Вложение", "web.you": "Вы", "web.alias": "Псевдоним", "web.caseId": "Идентификатор дела",
        "web.synced": "Синхронизировано: новых — %@, отправлено — %@.",
        "web.changed": "Дело %@ обновлено; другие эксперты это увидят.",
        "web.sent": "Ответ отправлен.",
        "web.sortBy": "Порядок", "web.sort.latest": "сначала новые", "web.sort.unread": "сначала непрочитанные",
        "web.sort.priority": "сначала срочные", "web.sort.due": "сначала с ближайшим сроком",
        "web.markRead": "Отметить как прочитанное", "web.new": "новое", "web.no-file": "В этом деле нет такого файла.",
        "web.suspect": "Отправлено после сообщения об изъятии устройства: это мог написать кто-то другой.",
        "web.despiteSeizure": "Отправить, хотя устройство изъято (ответ может прочитать тот, у кого оно сейчас)",
        "web.seizure": "Устройство утеряно или изъято",
        "web.seized":
            "⚠ Устройство правозащитника утеряно или изъято начиная с %@: сообщения после этого мог написать кто-то другой, а для ответа нужна отметка под формой ответа.",
        "web.seizedSince": "Не у правозащитника начиная с (время всемирное; пусто — сейчас)",
        "web.noWipe": "Только отключить устройство, не просить его стереть себя",
        "web.reportSeized": "Сообщить об изъятии устройства",
        "web.seizure-explained":
            "Все эксперты увидят отметку в деле. С устройства администратора ретранслятор также заморозит почтовый ящик правозащитника: ожидающие ответы будут удалены, а устройство, если правозащитник разрешил, сотрёт себя при следующем подключении.",
        "web.seizure-confirm": "Для подтверждения введите идентификатор дела %@:",
        "web.seizure-unconfirmed": "Ничего не отправлено: введённый идентификатор дела не совпал.",
        "web.not-viewable": "%@ нельзя показать здесь; сохраните его командой `amanat-inbox save`.",
        "web.login-used":
            "Ссылка для входа недействительна или уже использована. Перезапустите `amanat-inbox serve`, чтобы получить новую.",
        "web.login-needed": "Войдите по ссылке, которую `amanat-inbox serve` вывел в терминале.",
        "web.csrf": "Форма устарела или пришла не с этой страницы. Обновите страницу и попробуйте снова.",
        "web.bad-form": "Не удалось прочитать форму.", "web.bad-value": "Это значение здесь не подходит.",
        "case.in": "%@  %@  %@",
        "case.in.suspect":
            "%@  %@  ⚠ ОТПРАВЛЕНО ПОСЛЕ СООБЩЕНИЯ ОБ ИЗЪЯТИИ УСТРОЙСТВА: это мог написать кто-то другой.  %@",
        "case.seized":
            "⚠ Устройство правозащитника утеряно или изъято начиная с %@. Для ответа нужен --despite-seizure.",
        "seized.mark": "УСТРОЙСТВО ИЗЪЯТО",
        "seized.confirm":
            "Сообщить, что устройство %@ утеряно или изъято начиная с %@? Ожидающие его ответы будут удалены, устройство может стереть себя. Для подтверждения введите идентификатор дела %@: ",
        "seized.cancelled": "Ничего не отправлено.",
        "seized.reported":
            "Дело %@: устройство правозащитника утеряно или изъято начиная с %@; все эксперты видят отметку.",
        "seized.frozen":
            "Ретранслятор заморозил почтовый ящик дела %@: всё, что там ждало, удалено; если правозащитник разрешил, устройство сотрёт себя при следующем подключении.",
        "seized.frozen.no-wipe":
            "Ретранслятор заморозил почтовый ящик дела %@: всё, что там ждало, удалено, устройство отключено.",
        "seized.not-frozen":
            "Заморозить почтовый ящик может только администратор: попросите его как можно скорее выполнить `amanat-inbox case %@ seized`.",
        "error.seized-since":
            "Не удалось прочитать время %@: укажите ГГГГ-ММ-ДД, ДД.ММ.ГГГГ или «ГГГГ-ММ-ДД ЧЧ:ММ» (время всемирное), не в будущем.",
        "error.case-action": "Неизвестное действие %@: используйте `seized` или `link`.",
        "error.link-target": "После `link` укажите дело нового устройства; другие действия его не принимают.",
        "error.link-same": "Дело %@ нельзя связать с самим собой.",
        "error.link-merged": "Дело %@ уже продолжает другие устройства; свяжите то дело, к которому оно относится.",
        "error.link-unverified":
            "Сначала сверьте коды безопасности с новым устройством правозащитника (`amanat-inbox verify %@`): его мог зарегистрировать тот, у кого старое устройство.",
        "linked":
            "Дело %@ теперь продолжается с новым устройством правозащитника (было %@); все эксперты видят одно дело.",
        "error.reply-refused":
            "Ретранслятор отклонил ответ: почтовый ящик дела %@ закрыт (о его устройстве сообщили как об изъятом). Ответ остаётся в деле, не доставленным.",
        "case.out": "%@  вы, для %@ (%@)  %@",
        "case.team": "%@  %@, для %@ (%@)  %@",
        "delivery.refused": "отклонено ретранслятором (почтовый ящик закрыт)",
        "delivery.queued": "ждёт отправки", "delivery.submitted": "на ретрансляторе",
        "delivery.delivered": "доставлено", "delivery.read": "прочитано",
        "synced.team": "Ответов правозащитникам от других экспертов: %@.",
        "attachment": "  вложение %@: %@ (%@ Б, %@)",
        "queued": "Сохранено, но ещё не отправлено: запустите `amanat-inbox sync` позже.",
        "saved": "Сохранено в %@.",
        "error.unknown-case": "Дела %@ нет. См. `amanat-inbox cases`.",
        "error.ambiguous-case":
            "%@ соответствует нескольким делам: %@. Введите больше символов идентификатора или псевдоним дела.",
        "error.alias-taken": "Псевдоним %@ можно спутать с делом %@; выберите другой.",
        "error.short-case-id":
            "%@ — слишком коротко: введите не меньше %@ символов идентификатора дела или его псевдоним.",
        "case.title": "Дело %@ (идентификатор %@)",
        "case.safety":
            "Код безопасности с этим правозащитником (%@): %@\nСверьте его с тем, что `amanat experts` показывает ему для вас, лично или по надёжному звонку; затем `amanat-inbox verify <дело> --digits …`.",
        "case.safety.verified": "Код безопасности с этим правозащитником (проверен): %@",
        "safety.unverified": "не проверен",
        "verified.mark": "проверен",
        "verified.case": "Дело %@ отмечено как проверенное.",
        "verified.device": "Устройство %@ отмечено как проверенное.",
        "error.case-safety-mismatch":
            "Цифры не совпадают с кодом безопасности дела %@. Не отвечайте, пока не сверите код с правозащитником другим способом: возможно, переписку перехватывают.",
        "error.device-safety-mismatch":
            "Цифры не совпадают с кодом безопасности %@. Не доверяйте этому устройству, пока не проверите с организацией.",
        "sent.reply": "Отправлено по делу %@. Сообщение %@.",
        "triage.set-alias": "дал(а) делу псевдоним %@",
        "triage.seized": "сообщил(а), что устройство правозащитника утеряно или изъято, начиная с %@",
        "triage.seized-withdrawn": "отозвал(а) сообщение об изъятии устройства правозащитника",
        "triage.linked": "связал(а) с делом новое устройство правозащитника %@",
        "triage.unlinked": "отвязал(а) от дела устройство %@",
        "synced.not-permitted": "Отброшено сообщений от тех, кому нельзя присылать их сюда: %@.",
        "notice.undecryptable":
            "Сообщение от правозащитника по делу %@ не удалось расшифровать. Начат новый защищённый сеанс; попросите правозащитника прислать это сообщение ещё раз.",
        "notice.session-reset":
            "Правозащитник по делу %@ перезапустил(а) защищённый сеанс. Ответы, отправленные незадолго до этого, могли не дойти; при сомнении отправьте их ещё раз.",
        "error.not-administrator": "В этом профиле нет корневого ключа организации.",
        "error.invalid-card": "Это не карточка эксперта (amanat://card/…).",
        "error.unknown-expert": "Эксперта %@ в списке нет.",
    ])

    /// The sentences of the languages not complete yet (see ``Language``), over the shared ones:
    /// empty until a translator writes them.
    public static let planned: [Language: [String: String]] = TerminalText.planned

    /// Every language's sentences.
    static let sentences = Sentences(english: english, russian: russian, planned: planned)

    /// The sentence `key` in `language`, with `arguments` in its marks.
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        sentences.text(key, language, arguments)
    }
}
