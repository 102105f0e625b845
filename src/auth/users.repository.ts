import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { Role } from '../common/auth/roles';
import { ConflictError } from '../common/errors/domain-errors';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async create(u: {
    email: string;
    displayName: string;
    passwordHash: string;
    roles: Role[];
  }): Promise<UserEntity> {
    try {
      return await this.repo.save(this.repo.create({ ...u, email: u.email.toLowerCase() }));
    } catch (e) {
      if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') {
        throw new ConflictError('An account with this email already exists', 'email_taken');
      }
      throw e;
    }
  }

  async setRoles(id: string, roles: Role[]): Promise<void> {
    await this.repo.update({ id }, { roles });
  }
}
