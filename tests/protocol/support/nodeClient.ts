/** The ui's engine client running under Node: the same core, the `ws` socket and the blocking DuckDB. */
import { TABLES } from '../../../shared/src/index.js';
import { createEngineClient, httpSnapshotBody, type EngineClient } from '../../../ui/src/connection/index.js';
import { createTableSync } from '../../../ui/src/db/index.js';
import { openNodeDatabase, type NodeDatabase } from './nodeDuckDb.js';
import { TEST_TOKEN } from './inProcessEngine.js';
import { nodeSocketControl, type SocketControl } from './nodeSocket.js';

export interface NodeClient {
  readonly client: EngineClient;
  readonly db: NodeDatabase;
  readonly socket: SocketControl;
  /** Row count of every engine table in this client's DuckDB. */
  counts(): Promise<Record<string, number>>;
  close(): void;
}

let clients = 0;

/** `token`: the engine's; the in-process test engine's by default. */
export async function connectNodeClient(wsUrl: string, token = TEST_TOKEN): Promise<NodeClient> {
  const db = await openNodeDatabase(`twin${++clients}`);
  const socket = nodeSocketControl(token);
  // Reconnect at once: the tests hold reconnects with the socket gate, never with time.
  const fetchSnapshotBody = httpSnapshotBody(wsUrl.replace(/^ws/, 'http'), { authorization: `Bearer ${token}` });
  const client = createEngineClient({ url: wsUrl, openSocket: socket.open, fetchSnapshotBody, tables: createTableSync(db), reconnect: { minDelayMs: 1, maxDelayMs: 20 } });
  return {
    client,
    db,
    socket,
    async counts() {
      const counts: Record<string, number> = {};
      for (const { name } of TABLES) counts[name] = Number((await db.query(`SELECT count(*)::INTEGER AS n FROM "${name}"`))[0]?.['n']);
      return counts;
    },
    close() {
      client.close();
      db.close();
    },
  };
}
