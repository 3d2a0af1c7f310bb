// Container records in the metadata DB: lookup by full id, unique id prefix or name.
import { eq } from 'drizzle-orm';
import type { MetadataDb } from '../metadata/db';
import { containers } from '../metadata/containers-schema';
import { conflict, invalid, notFound } from '../errors';
import type { ContainerRecord } from './record';

export class ContainerStore {
  constructor(private readonly db: MetadataDb) {}

  all(): ContainerRecord[] {
    return this.db
      .select()
      .from(containers)
      .all()
      .map((r) => JSON.parse(r.record) as ContainerRecord)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  nameTaken(name: string): boolean {
    return this.db.select({ id: containers.id }).from(containers).where(eq(containers.name, name)).all().length > 0;
  }

  find(idOrName: string): ContainerRecord {
    const key = idOrName.startsWith('/') ? idOrName.slice(1) : idOrName;
    // a string that cannot be a name (an image reference, say) names no container
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(key)) throw notFound(`no such container: ${idOrName}`);
    const byName = this.db.select().from(containers).where(eq(containers.name, key)).all();
    if (byName.length === 1) return JSON.parse(byName[0].record) as ContainerRecord;
    if (/^[a-f0-9]+$/.test(key)) {
      const rows = this.db.$client
        .prepare('SELECT record FROM containers WHERE id LIKE ? ORDER BY id')
        .all(`${key}%`) as { record: string }[];
      if (rows.length === 1) return JSON.parse(rows[0].record) as ContainerRecord;
      if (rows.length > 1) throw invalid(`multiple containers match id prefix ${key}: give more characters`);
    }
    throw notFound(`no such container: ${idOrName}`);
  }

  tryGet(id: string): ContainerRecord | undefined {
    const rows = this.db.select().from(containers).where(eq(containers.id, id)).all();
    return rows[0] ? (JSON.parse(rows[0].record) as ContainerRecord) : undefined;
  }

  insert(rec: ContainerRecord): void {
    try {
      this.db
        .insert(containers)
        .values({ id: rec.id, name: rec.name, imageId: rec.imageId, record: JSON.stringify(rec), createdAt: Date.parse(rec.createdAt) })
        .run();
    } catch (e) {
      if (String(e).includes('UNIQUE')) throw conflict(`container name "${rec.name}" is already in use`);
      throw e;
    }
  }

  update(rec: ContainerRecord): void {
    this.db.update(containers).set({ record: JSON.stringify(rec) }).where(eq(containers.id, rec.id)).run();
  }

  /** Changes the name column and the record together (the column is unique). */
  rename(rec: ContainerRecord, name: string): void {
    try {
      this.db.update(containers).set({ name, record: JSON.stringify({ ...rec, name }) }).where(eq(containers.id, rec.id)).run();
    } catch (e) {
      if (String(e).includes('UNIQUE')) throw conflict(`container name "${name}" is already in use`);
      throw e;
    }
  }

  delete(id: string): void {
    this.db.delete(containers).where(eq(containers.id, id)).run();
  }

  imageInUse(imageId: string): boolean {
    return this.db.select({ id: containers.id }).from(containers).where(eq(containers.imageId, imageId)).all().length > 0;
  }
}
