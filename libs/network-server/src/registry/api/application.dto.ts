import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { ApplicationEntity } from '@lns/storage';

export class CreateApplicationDto {
  @ApiProperty({ example: 'water meters', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'a tunnel application: the network never holds its AppSKey; uplinks reach the application server still encrypted',
  })
  @IsOptional()
  @IsBoolean()
  endToEnd?: boolean;
}

export class ApplicationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() endToEnd!: boolean;
  @ApiProperty() createdAt!: string;
}

export function toApplicationView(a: ApplicationEntity): ApplicationView {
  return { id: a.id, name: a.name, endToEnd: a.endToEnd, createdAt: a.createdAt.toISOString() };
}
