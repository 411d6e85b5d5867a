// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal
import Foundation

/// Every sentence `amanat` shows, by key, in each language. `%@` marks are filled in order.
/// A test checks that both languages have the same keys and the same number of marks.
public enum Catalogue {
    public static let english: [String: String] = TerminalText.english.merging(own: [
        "enrolled": "Enrolled with %@. Experts on the roster: %@.",
        "enrolled.no-roster": "Enrolled with %@. The organisation has not published its list of experts yet.",
        "sent": "Sent to %@ expert device(s). Message %@.",
        "queued": "Saved, but not sent yet: %@ item(s) wait for the relay. Run `amanat sync` later.",
        "synced": "Sync done: %@ new, %@ sent, %@ still queued.",
        "synced.undecryptable": "%@ message(s) could not be decrypted and were dropped.",
        "synced.expired": "%@ message(s) expired on the relay before this device fetched them.",
        "inbox.empty": "No messages.",
        "notice.undecryptable":
            "A message from %@ could not be decrypted. A new secure session has been started; ask them to send it again.",
        "notice.session-reset":
            "%@ restarted the secure session. What you sent just before may not have arrived; send it again if in doubt.",
        "synced.reset": "%@ secure session(s) restarted after messages that could not be decrypted.",
        "synced.unconfirmed":
            "%@ sent message(s) were not confirmed within the relay's retention time: they may have expired unread.",
        "state.unconfirmed": "not confirmed: may have expired unread",
        "inbox.in": "%@  from %@  %@  %@",
        "inbox.out": "%@  to experts  %@  %@",
        "state.queued": "waiting to send",
        "state.submitted": "on the relay",
        "state.delivered": "delivered",
        "state.read": "read",
        "unread": "unread",
        "attachment": "  attachment %@: %@ (%@ bytes, %@)",
        "saved": "Saved to %@.",
        "status.profile": "Profile: %@",
        "status.relay": "Relay: %@ (%@)",
        "status.reachable": "reachable",
        "status.unreachable": "not reachable",
        "status.proxy": "Proxy: %@",
        "status.proxy.none": "Proxy: none (Tor is off)",
        "status.queued": "Queued: %@",
        "status.roster": "Roster: %@ expert device(s)",
        "experts.empty": "No experts yet: run `amanat sync`.",
        "experts.line": "%@\n  safety number: %@",
        "experts.verified": "verified",
        "experts.unverified": "not verified",
        "verified": "%@ is marked verified.",
        "error.unknown-expert": "There is no expert %@. See `amanat experts`.",
        "error.safety-mismatch":
            "The digits do not match %@'s safety number. Do not trust this device until you have checked with the organisation.",
        "error.no-profile": "There is no profile at %@. Enrol first with `amanat enroll <invite>`.",
        "error.profile-exists": "A profile exists at %@ already. Use another --profile, or wipe this one.",
        "error.corrupted": "The profile's files are damaged. Restore them from a backup or enrol again.",
        "error.unwritable": "The profile cannot be written (permissions or a full disk).",
        "error.invalid-invite": "The invite is not valid. Ask the organisation for a new one.",
        "error.expired-invite": "The invite has expired. Ask the organisation for a new one.",
        "error.unreachable": "The relay cannot be reached. Check the network or Tor, then run `amanat sync`.",
        "error.proxy": "The proxy (Tor) cannot be reached. Is Tor running? Check `amanat config`.",
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
        "error.security": "A security check failed. Do not trust this conversation; tell the organisation.",
        "error.nothing-to-send": "Nothing to send: give a text, --file or --attach.",
        "error.internal": "Something went wrong: %@.",
    ])

    public static let russian: [String: String] = TerminalText.russian.merging(own: [
        "enrolled": "Регистрация на %@ выполнена. Экспертов в списке: %@.",
        "enrolled.no-roster": "Регистрация на %@ выполнена. Организация ещё не опубликовала список экспертов.",
        "sent": "Отправлено на устройства экспертов: %@. Сообщение %@.",
        "queued": "Сохранено, но ещё не отправлено: ждут ретранслятора %@. Запустите `amanat sync` позже.",
        "synced": "Синхронизация завершена: новых %@, отправлено %@, ждут отправки %@.",
        "synced.undecryptable": "Не удалось расшифровать сообщений: %@; они удалены.",
        "synced.expired": "Сообщений, истёкших на ретрансляторе до получения: %@.",
        "inbox.empty": "Сообщений нет.",
        "notice.undecryptable":
            "Сообщение от %@ не удалось расшифровать. Начат новый защищённый сеанс; попросите отправить его ещё раз.",
        "notice.session-reset":
            "%@ перезапустил(а) защищённый сеанс. Отправленное вами незадолго до этого могло не дойти; при сомнении отправьте ещё раз.",
        "synced.reset": "Перезапущено защищённых сеансов после нерасшифрованных сообщений: %@.",
        "synced.unconfirmed":
            "Отправленных сообщений без подтверждения за срок хранения на ретрансляторе: %@; возможно, они истекли непрочитанными.",
        "state.unconfirmed": "не подтверждено: возможно, истекло непрочитанным",
        "inbox.in": "%@  от %@  %@  %@",
        "inbox.out": "%@  экспертам  %@  %@",
        "state.queued": "ждёт отправки",
        "state.submitted": "на ретрансляторе",
        "state.delivered": "доставлено",
        "state.read": "прочитано",
        "unread": "не прочитано",
        "attachment": "  вложение %@: %@ (%@ байт, %@)",
        "saved": "Сохранено в %@.",
        "status.profile": "Профиль: %@",
        "status.relay": "Ретранслятор: %@ (%@)",
        "status.reachable": "доступен",
        "status.unreachable": "недоступен",
        "status.proxy": "Прокси: %@",
        "status.proxy.none": "Прокси: нет (Tor выключен)",
        "status.queued": "Ждут отправки: %@",
        "status.roster": "Список: устройств экспертов %@",
        "experts.empty": "Экспертов пока нет: запустите `amanat sync`.",
        "experts.line": "%@\n  код безопасности: %@",
        "experts.verified": "проверен",
        "experts.unverified": "не проверен",
        "verified": "%@ отмечен(а) как проверенный(ая).",
        "error.unknown-expert": "Эксперта %@ нет. См. `amanat experts`.",
        "error.safety-mismatch":
            "Цифры не совпадают с кодом безопасности %@. Не доверяйте этому устройству, пока не проверите с организацией.",
        "error.no-profile": "Профиля в %@ нет. Сначала зарегистрируйтесь: `amanat enroll <приглашение>`.",
        "error.profile-exists": "Профиль в %@ уже есть. Укажите другой --profile или уничтожьте этот.",
        "error.corrupted": "Файлы профиля повреждены. Восстановите их из резервной копии или зарегистрируйтесь заново.",
        "error.unwritable": "Профиль нельзя записать (права доступа или заполненный диск).",
        "error.invalid-invite": "Приглашение недействительно. Попросите у организации новое.",
        "error.expired-invite": "Срок приглашения истёк. Попросите у организации новое.",
        "error.unreachable": "Ретранслятор недоступен. Проверьте сеть или Tor и запустите `amanat sync`.",
        "error.proxy": "Прокси (Tor) недоступен. Запущен ли Tor? Проверьте `amanat config`.",
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
        "error.security": "Проверка безопасности не пройдена. Не доверяйте этому разговору; сообщите организации.",
        "error.nothing-to-send": "Нечего отправлять: укажите текст, --file или --attach.",
        "error.internal": "Что-то пошло не так: %@.",
    ])

    /// The sentence `key` in `language`, with `arguments` in its marks.
    public static func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        fill((language == .russian ? russian : english)[key] ?? english[key] ?? key, arguments)
    }
}
