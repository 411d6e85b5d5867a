-- SPDX-License-Identifier: AGPL-3.0-or-later
-- wrk script for Benchmarks/relay-load: each thread replays its own file of real signed deposits
-- (43 bytes of base64url deposit token, then the envelope), PUT to the mailbox path, asking for
-- receipts signed together as the client does.
-- Arguments: SIZE DIRECTORY PATH. Counts answers other than 201.
local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   size = tonumber(args[1])
   local file = assert(io.open(args[2] .. "/deposits-" .. id .. ".bin", "rb"))
   data = file:read("*a")
   file:close()
   path = args[3]
   record = 43 + size
   count = math.floor(#data / record)
   index = 0
   errors = 0
   wrapped = 0
end

function request()
   if index >= count then wrapped = 1 end
   local offset = (index % count) * record
   index = index + 1
   return wrk.format("PUT", path, {
      ["Amanat-Deposit-Token"] = data:sub(offset + 1, offset + 43),
      -- What AmanatClient sends: receipts signed together (SPEC.md §8.4.1).
      ["Amanat-Receipts"] = "tree",
      ["Content-Type"] = "application/octet-stream",
   }, data:sub(offset + 44, offset + record))
end

function response(status, headers, body)
   if status ~= 201 and status ~= 204 then errors = errors + 1 end
end

function done(summary, latency, requests)
   local failed, repeated = 0, 0
   for _, thread in ipairs(threads) do
      failed = failed + thread:get("errors")
      repeated = repeated + thread:get("wrapped")
   end
   io.write(string.format("LOAD requests=%d seconds=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f non201=%d wrapped=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed, repeated))
end
