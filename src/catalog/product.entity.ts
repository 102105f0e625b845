import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'products' })
export class ProductEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'merchant_id', type: 'uuid' })
  merchantId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ name: 'image_url', type: 'text', nullable: true })
  imageUrl!: string | null;

  /** Integer minor units (cents) of `currency`. */
  @Column({ name: 'price_cents', type: 'integer' })
  priceCents!: number;

  /** ISO 4217 code, upper case. */
  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Units on hand, never negative (a CHECK constraint guards it). */
  @Column({ type: 'integer' })
  stock!: number;

  @Column({ type: 'text', nullable: true })
  sku!: string | null;

  /** Delivered without shipping (a download, a voucher): its orders need no address. */
  @Column({ type: 'boolean', default: false })
  digital!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
